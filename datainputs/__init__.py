"""Data inputs, the cycle's single source of truth: sales history, open orders, stock, receipts.

Browser uploads and the ERP API are two doors into the same import service
(``datainputs.importers``), so validation, all-or-nothing writes and counts are identical.
"""
