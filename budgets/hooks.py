"""Figures about budgets that a higher app keeps (see portal/hooks.py).

Called without arguments; a receiver returns an expression over Budget rows (`OuterRef("pk")` is
the budget) giving what applicants refunded of the budget's paid awards (追回), or None. The
recovery app answers; without a receiver nothing was recovered. Refunds go back to the treasury
(缴回国库), not to the incentive's allocation: budgets show them beside "paid", and what remains
to commit does not grow.
"""

from portal.hooks import Hook

budget_recovered = Hook("budget_recovered")
