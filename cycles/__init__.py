"""The monthly SIOP cycle: stages in order, owners, due dates, sign-offs, and the plan audit log."""
