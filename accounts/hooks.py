"""Events of accounts that higher apps react to (see portal/hooks.py)."""

from portal.hooks import Hook

# applicant=Applicant. After the registration committed: e.g. rows of proactive award lists
# (免申即享) imported before the enterprise registered become its offers.
applicant_registered = Hook("applicant_registered")
