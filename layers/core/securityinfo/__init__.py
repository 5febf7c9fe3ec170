"""Security Info: the domain package shared by every function, the wizard and the admin routes."""
