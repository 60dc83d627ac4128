from django.http import HttpRequest

from . import views


class HealthCheckMiddleware:
    """Answer /healthz before anything else looks at the request.

    The container's probe asks http://127.0.0.1:8000/healthz: neither an
    allowed host nor HTTPS, so the host check would answer 400 and the HTTPS
    redirect 301, and the service would never be healthy. The answer holds
    nothing but "ok" or "unavailable".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info == "/healthz":
            return views.healthz(request)
        return self.get_response(request)
