"""Words the policy uses that eligibility rules, profiles and forms share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantType(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation (enterprise or institution)")
    INDIVIDUAL = "individual", _("Individual")


class EnterpriseSize(models.TextChoices):
    """划型: size classes of the national SME classification."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Qualification(models.TextChoices):
    """Titles, awards and recognitions the policy's measures rely on."""

    NATIONAL_SINGLE_CHAMPION = "national_single_champion", _("National manufacturing single champion")
    LITTLE_GIANT = "little_giant", _("National specialised and sophisticated 'little giant'")
    PROVINCIAL_CHAIN_LEADER = "provincial_chain_leader", _("Provincial industrial chain leader")
    PROVINCIAL_SINGLE_CHAMPION = "provincial_single_champion", _("Provincial manufacturing single champion")
    SPECIALISED_SME = "specialised_sme", _("Specialised and sophisticated SME")
    CHINA_QUALITY_AWARD = "china_quality_award", _("China Quality Award")
    CHINA_QUALITY_AWARD_NOMINATION = "china_quality_award_nomination", _("China Quality Award nomination")
    PROVINCIAL_QUALITY_AWARD = "provincial_quality_award", _("Guangdong Provincial Government Quality Award")
    PROVINCIAL_TECH_CENTER = "provincial_tech_center", _("Provincial enterprise technology centre")
    FORTUNE_500 = "fortune_500", _("World or China top 500 enterprise")
    STANDARD_INNOVATION_AWARD = "standard_innovation_award", _("China Standard Innovation Contribution Award")
    GUANGDONG_STANDARDISATION_AWARD = (
        "guangdong_standardisation_award",
        _("Guangdong Standardisation Outstanding Contribution Award"),
    )
    QUALITY_BENCHMARK = "quality_benchmark", _("Guangdong quality benchmark")
    TIME_HONOURED_BRAND = "time_honoured_brand", _("Time-honoured brand")
    METROLOGY_TYPE_APPROVAL = "metrology_type_approval", _("Pattern approval certificate for measuring instruments")
    SMALL_MICRO_UPGRADED = "small_micro_upgraded", _("Small or micro industrial enterprise newly above designated size")
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise", _("High and new technology enterprise")


class GuangdongCity(models.TextChoices):
    """The 21 prefecture-level cities of Guangdong (地级以上市)."""

    GUANGZHOU = "guangzhou", _("Guangzhou")
    SHENZHEN = "shenzhen", _("Shenzhen")
    ZHUHAI = "zhuhai", _("Zhuhai")
    SHANTOU = "shantou", _("Shantou")
    FOSHAN = "foshan", _("Foshan")
    SHAOGUAN = "shaoguan", _("Shaoguan")
    HEYUAN = "heyuan", _("Heyuan")
    MEIZHOU = "meizhou", _("Meizhou")
    HUIZHOU = "huizhou", _("Huizhou")
    SHANWEI = "shanwei", _("Shanwei")
    DONGGUAN = "dongguan", _("Dongguan")
    ZHONGSHAN = "zhongshan", _("Zhongshan")
    JIANGMEN = "jiangmen", _("Jiangmen")
    YANGJIANG = "yangjiang", _("Yangjiang")
    ZHANJIANG = "zhanjiang", _("Zhanjiang")
    MAOMING = "maoming", _("Maoming")
    ZHAOQING = "zhaoqing", _("Zhaoqing")
    QINGYUAN = "qingyuan", _("Qingyuan")
    CHAOZHOU = "chaozhou", _("Chaozhou")
    JIEYANG = "jieyang", _("Jieyang")
    YUNFU = "yunfu", _("Yunfu")
