"""Settings for bench/registration_surge.py: production settings with three changes.

- allauth's per-address sign-up limit is lifted: every simulated guest comes from 127.0.0.1.
- E-mail goes nowhere (allauth sends the verification mail inside the sign-up request).
- The checks that ask for a real mail server and badge keys are silenced accordingly.
"""

from summit.settings import *  # noqa: F403

ACCOUNT_RATE_LIMITS = False
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SILENCED_SYSTEM_CHECKS = ["bayline.E004", "bayline.E005"]
