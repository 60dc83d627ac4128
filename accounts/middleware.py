from django.utils.cache import add_never_cache_headers


class NoStoreForAuthenticatedMiddleware:
    """Keep pages shown to a signed-in user out of browser and proxy caches.

    Notes about real people must not be readable from a shared computer's
    history or back button after logout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
