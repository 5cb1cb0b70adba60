from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    """Expert review (专家评审): the pool of experts, a panel drawn per call, score sheets and
    scores, and the panel's ranking. Above applications, which it reads; below the apps that
    decide on the ranking."""

    name = "experts"
    verbose_name = _("Expert review")

    def ready(self) -> None:
        from applications.hooks import applicant_facts

        from .seed import load_expert_seed_after_migrate
        from .views import expert_review_fact

        post_migrate.connect(load_expert_seed_after_migrate, sender=self)
        # The applicant's application page says whether the expert review is under way or done.
        applicant_facts.connect(expert_review_fact)
