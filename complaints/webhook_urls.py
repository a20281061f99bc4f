"""The WeChat Pay notification endpoint (outside the console's namespaced pages)."""

urlpatterns: list = []
