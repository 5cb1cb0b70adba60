"""Events of the credit list that the apps above react to (see portal/hooks.py)."""

from portal.hooks import Hook

# actor=User, entries=list[CreditListEntry]: inside the transaction that added the entries (an
# import or one by hand), those active today. The applications app flags the listed enterprises'
# open applications and unpaid awards for their officials (an audit event and a notification).
entities_listed = Hook("entities_listed")
