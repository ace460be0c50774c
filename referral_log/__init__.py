"""Anonymised referral log and commissioner statistics.

The bot's actions write signpost events through `referral_log.log.record_events`;
commissioners read them only through disclosure-controlled reports
(`signpost stats report`, `/commissioners`, `/api/stats/referrals`).
"""
