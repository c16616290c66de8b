"""Who may move money by hand (DESIGN invariant 5): the one definition of the manager roles.

The check itself is made at the HTTP door (``tuktuk_management.api.door.require_manager``)."""

MANAGER_ROLES = ("TukTuk Manager", "System Manager")
