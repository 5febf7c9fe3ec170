"""Security Info: the domain package shared by every function, the wizard and the admin routes."""

# First, before any module of the package imports botocore (see _tls) or Powertools' Logger (see
# _powertools).
from securityinfo import _powertools as _powertools
from securityinfo import _tls as _tls
