# Passwords as Frappe v15 keeps them (frappe/utils/password.py), all in the raw `__Auth` table:
# - login passwords: passlib hashes (pbkdf2_sha256), `encrypted = 0`, never reversible;
# - Password fields and API secrets: Fernet-encrypted with the site's `encryption_key`, `encrypted = 1`.
# Frappe builds these queries with frappe.qb and a backend-specific upsert; here plain `frappe.db.sql`
# with `%s` parameters and delete-then-insert in the caller's transaction does the same on both backends.

from cryptography.fernet import Fernet, InvalidToken
from passlib.context import CryptContext

import frappe
from frappe import _
from frappe.sessions import clear_sessions
from frappe.utils import update_site_config

passlibctx = CryptContext(
	schemes=[
		"pbkdf2_sha256",
		"argon2",
	],
)


def _to_bytes(value) -> bytes:
	return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _to_str(value) -> str:
	return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def get_decrypted_password(doctype, name, fieldname="password", raise_exception=True):
	"""Return the clear value of an encrypted Password field, or None (raises when `raise_exception`)."""
	result = frappe.db.sql(
		"select `password` from `__Auth` where `doctype`=%s and `name`=%s and `fieldname`=%s"
		" and `encrypted`=1 limit 1",
		(doctype, name, fieldname),
	)

	if result and result[0][0]:
		try:
			return decrypt(result[0][0], key=f"{doctype}.{name}.{fieldname}")
		except frappe.ValidationError:
			if raise_exception:
				raise
			return None

	elif raise_exception:
		frappe.throw(
			_("Password not found for {0} {1} {2}").format(doctype, name, fieldname),
			frappe.AuthenticationError,
		)


def set_encrypted_password(doctype, name, pwd, fieldname="password"):
	"""Store `pwd` encrypted for (doctype, name, fieldname), replacing any previous value."""
	encrypted = encrypt(pwd)
	_upsert_auth_row(doctype, name, fieldname, encrypted, 1)


def remove_encrypted_password(doctype, name, fieldname="password"):
	frappe.db.sql(
		"delete from `__Auth` where `doctype`=%s and `name`=%s and `fieldname`=%s",
		(doctype, name, fieldname),
	)


def delete_all_passwords_for(doctype, name):
	frappe.db.sql("delete from `__Auth` where `doctype`=%s and `name`=%s", (doctype, name))


def rename_password(doctype, old_name, new_name):
	frappe.db.sql(
		"update `__Auth` set `name`=%s where `doctype`=%s and `name`=%s", (new_name, doctype, old_name)
	)


def check_password(user, pwd, doctype="User", fieldname="password", delete_tracker_cache=True):
	"""Return the user's name (as stored) if `pwd` is right, else raise frappe.AuthenticationError."""
	result = frappe.db.sql(
		"select `name`, `password` from `__Auth` where `doctype`=%s and `name`=%s and `fieldname`=%s"
		" and `encrypted`=0 limit 1",
		(doctype, user, fieldname),
		as_dict=True,
	)

	if not result or not _verify(pwd, result[0].password):
		raise frappe.AuthenticationError(_("Incorrect User or Password"))

	# lettercase agnostic, as Frappe
	user = result[0].name

	if passlibctx.needs_update(result[0].password):
		update_password(user, pwd, doctype, fieldname)

	return user


def _verify(pwd, hashed) -> bool:
	try:
		return passlibctx.verify(pwd, hashed)
	except (ValueError, TypeError):
		# not a hash passlib knows (e.g. a corrupted row): a wrong password, not a server error
		return False


def update_password(user, pwd, doctype="User", fieldname="password", logout_all_sessions=False):
	"""Hash `pwd` and store it as the login password of `user`."""
	hashed = passlibctx.hash(pwd)
	_upsert_auth_row(doctype, user, fieldname, hashed, 0)

	if logout_all_sessions:
		clear_sessions(user=user, keep_current=True, force=True)


def _upsert_auth_row(doctype, name, fieldname, password, encrypted):
	# delete + insert in one transaction: the portable form of Frappe's ON DUPLICATE KEY UPDATE
	remove_encrypted_password(doctype, name, fieldname)
	frappe.db.sql(
		"insert into `__Auth` (`doctype`, `name`, `fieldname`, `password`, `encrypted`)"
		" values (%s, %s, %s, %s, %s)",
		(doctype, name, fieldname, password, encrypted),
	)


def encrypt(txt, encryption_key=None):
	"""Fernet-encrypt `txt` with the site's key (or `encryption_key`) and return the token as str."""
	try:
		cipher_suite = Fernet(_to_bytes(encryption_key or get_encryption_key()))
	except Exception:
		# encryption_key is not in 32 url-safe base64-encoded format
		frappe.throw(_("Encryption key is in invalid format!"))

	return _to_str(cipher_suite.encrypt(_to_bytes(txt)))


def decrypt(txt, encryption_key=None, key: str | None = None):
	"""Decrypt a token made by `encrypt`; a wrong site key raises frappe.ValidationError."""
	try:
		cipher_suite = Fernet(_to_bytes(encryption_key or get_encryption_key()))
		return _to_str(cipher_suite.decrypt(_to_bytes(txt)))
	except InvalidToken:
		# encryption_key in site_config is changed and not valid
		frappe.throw(
			(_("Failed to decrypt key {0}").format(key) + "<br><br>" if key else "")
			+ _("Encryption key is invalid! Please check site_config.json")
			+ "<br>"
			+ _(
				"If you have recently restored the site, you may need to copy the site_config.json"
				" containing original Encryption Key."
			),
		)


def get_encryption_key():
	"""The site's Fernet key; made and saved to site_config.json on first use, as Frappe does."""
	if "encryption_key" not in frappe.local.conf:
		encryption_key = Fernet.generate_key().decode()
		update_site_config("encryption_key", encryption_key)
		frappe.local.conf.encryption_key = encryption_key

	return frappe.local.conf.encryption_key
