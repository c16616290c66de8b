"""/tuktuk: the manager dashboard for sites without Desk (and with it). See api/manager_page.py."""

from tuktuk_management.api.manager_page import page_context

no_cache = 1


def get_context(context):
	return page_context(context)
