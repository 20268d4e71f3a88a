"""举报人身份: everything about who reported, in one place, used by the gateways, answers, the
service's filing desk and door, and the console: the reporter key and its subkeys
(``keys.py``), contacts sealed and masked (``privacy.py``), tracking numbers and their index
(``tracking.py``)."""
