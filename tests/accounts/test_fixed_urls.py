import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse

from accounts.fixed_urls import fixed_url


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("contacts:person_detail", [7]),
        ("contacts:person_detail", [10**12]),
        ("contacts:capture_existing", [3, 45]),
        ("contacts:person_list", []),
        ("home", []),
    ],
)
def test_it_gives_what_reverse_gives(name, args):
    assert fixed_url(name, *args) == reverse(name, args=args)
    assert fixed_url(name, *args) == reverse(name, args=args)  # from the cache


def test_it_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        fixed_url("contacts:person_detail", -1)
    with pytest.raises(NoReverseMatch):
        fixed_url("contacts:person_detail")


def test_it_follows_the_script_prefix():
    from django.urls import set_script_prefix

    set_script_prefix("/app/")
    try:
        assert fixed_url("contacts:person_detail", 5) == "/app/people/5/"
    finally:
        set_script_prefix("/")
    assert fixed_url("contacts:person_detail", 5) == "/people/5/"


def test_the_template_tag_writes_the_url_or_keeps_it():
    template = Template('{% load fixed_urls %}{% fixed_url "contacts:person_detail" pk %}|'
                        '{% fixed_url "contacts:person_edit" pk as edit %}{{ edit }}')  # fmt: skip
    assert template.render(Context({"pk": 12})) == "/people/12/|/people/12/edit/"
