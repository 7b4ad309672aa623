"""Departments and the referral round trip (分流 / 回流)."""
