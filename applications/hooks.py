"""Events of applications that the money apps react to (see portal/hooks.py)."""

from portal.hooks import Hook

# actor=User, application=Application (locked). Inside the approval's transaction, before the
# application becomes approved: the awards app commits the amount against the budget. A receiver
# refuses by raising an ApplicationError; then nothing changes.
application_approving = Hook("application_approving")

# actor=User, application=Application (locked). Inside the submission's transaction, after the
# form is complete: the credit and recovery apps refuse a listed or banned applicant by raising an
# ApplicationError (with its `code`); then nothing changes.
application_submitting = Hook("application_submitting")

# kind=Notice.Kind, application=Application -> dict of facts, or None when the kind is not the
# receiver's. The disbursement app gives the paid payment's facts for the disbursement notice.
notice_facts = Hook("notice_facts")

# record=StageRecord. Inside the transition's transaction, when an application leaves a timed stage
# (applications/stages.py wrote the record): the reports app adds it to its stage tallies.
stage_ended = Hook("stage_ended")
