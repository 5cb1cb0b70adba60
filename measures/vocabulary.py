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


class QualificationLevel(models.TextChoices):
    """The level of the body that granted a qualification (the same values as the applicant's records)."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


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


class IndustryDivision(models.TextChoices):
    """Manufacturing divisions 13–43 of GB/T 4754-2017 (国民经济行业分类, 门类 C 制造业)."""

    D13 = "13", _("13 Agricultural and sideline food processing")
    D14 = "14", _("14 Food manufacturing")
    D15 = "15", _("15 Liquor, beverages and refined tea")
    D16 = "16", _("16 Tobacco products")
    D17 = "17", _("17 Textiles")
    D18 = "18", _("18 Textile garments and apparel")
    D19 = "19", _("19 Leather, fur, feathers and footwear")
    D20 = "20", _("20 Wood processing; wood, bamboo, rattan, palm and straw products")
    D21 = "21", _("21 Furniture")
    D22 = "22", _("22 Paper and paper products")
    D23 = "23", _("23 Printing and reproduction of recording media")
    D24 = "24", _("24 Cultural, educational, arts and crafts, sports and entertainment goods")
    D25 = "25", _("25 Petroleum, coal and other fuel processing")
    D26 = "26", _("26 Chemical raw materials and chemical products")
    D27 = "27", _("27 Pharmaceuticals")
    D28 = "28", _("28 Chemical fibres")
    D29 = "29", _("29 Rubber and plastic products")
    D30 = "30", _("30 Non-metallic mineral products")
    D31 = "31", _("31 Ferrous metal smelting and rolling")
    D32 = "32", _("32 Non-ferrous metal smelting and rolling")
    D33 = "33", _("33 Metal products")
    D34 = "34", _("34 General-purpose equipment")
    D35 = "35", _("35 Special-purpose equipment")
    D36 = "36", _("36 Automobiles")
    D37 = "37", _("37 Railway, ships, aerospace and other transport equipment")
    D38 = "38", _("38 Electrical machinery and equipment")
    D39 = "39", _("39 Computers, communication and other electronic equipment")
    D40 = "40", _("40 Instruments and meters")
    D41 = "41", _("41 Other manufacturing")
    D42 = "42", _("42 Comprehensive use of waste resources")
    D43 = "43", _("43 Repair of metal products, machinery and equipment")
