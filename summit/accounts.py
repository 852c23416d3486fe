"""django-allauth, adapted to Bayline: its rate limits count by our client address."""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter

from summit.ratelimit import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # The same address as our own limits (TRUSTED_PROXY_COUNT); allauth's own reading
        # of X-Forwarded-For fails with a 500 when the header has fewer entries than proxies.
        address = client_address(request)
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return super().get_client_ip(request)
