from math import ceil

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class IdFirstPage(Page):
    """A page that knows whether another follows without the paginator counting every row."""

    def __init__(self, object_list, number, paginator, *, has_next: bool | None = None):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        if self._has_next is None:
            return super().has_next()
        return self._has_next


class IdFirstPaginator(Paginator):
    """A Paginator that finds a page's ids first, then loads just those rows.

    With OFFSET the database steps over every earlier row; fetching only ids
    lets it do so within an index, so page 1,600 of 100,000 people costs about
    as much as page 1. `load_rows(ids)` returns the rows for a page's ids, in
    their order.

    With `count_limit`, the count stops there: counting 100,000 people costs
    more than the page itself, and "more than 10,000" says as much. Past the
    limit (`count_capped`) the pages carry no total; each page asks for one id
    more than it shows to know whether a next one exists, and only a page
    asked for past the end counts every row (to show the last page instead).

    With `ids_up_front` (and a `count_limit`), one query reads the ids of the
    first `count_limit + 1` rows in order, and both the count and the page
    come from them. For a search, where each match is a row the database has
    to visit (to check it and to sort it), this visits them once, not twice.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        load_rows,
        count_limit: int | None = None,
        ids_up_front: bool = False,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.load_rows = load_rows
        self.count_limit = count_limit
        self.ids_up_front = ids_up_front and count_limit is not None

    @cached_property
    def leading_ids(self) -> list[int] | None:
        """With `ids_up_front`, the ids of the first `count_limit + 1` rows, in order."""
        if not self.ids_up_front:
            return None
        return list(self.object_list.values_list("pk", flat=True)[: self.count_limit + 1])

    @cached_property
    def count(self) -> int:
        """Exact up to `count_limit`; past it, `count_limit + 1`."""
        if self.count_limit is None:
            return super().count
        if self.leading_ids is not None:
            return len(self.leading_ids)
        return self.object_list.order_by()[: self.count_limit + 1].count()

    def _ids(self, bottom: int, top: int) -> list[int]:
        """The ids of rows bottom … top - 1, from the leading ids when they reach that far."""
        if self.leading_ids is not None and (not self.count_capped or top <= len(self.leading_ids)):
            return self.leading_ids[bottom:top]
        return list(self.object_list.values_list("pk", flat=True)[bottom:top])

    @cached_property
    def count_capped(self) -> bool:
        return self.count_limit is not None and self.count > self.count_limit

    @cached_property
    def num_pages(self) -> int:
        if not self.count_capped:
            return super().num_pages
        return ceil(max(1, self.object_list.count() - self.orphans) / self.per_page)

    def validate_number(self, number) -> int:
        if not self.count_capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number) -> Page:
        try:
            return super().get_page(number)
        except EmptyPage:  # past the count limit, a page past the end is found only by asking for it
            return self.page(self.num_pages)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.count_capped:
            ids = self._ids(bottom, bottom + self.per_page + 1)
            if not ids:
                raise EmptyPage(self.error_messages["no_results"])
            has_next = len(ids) > self.per_page
            return IdFirstPage(self.load_rows(ids[: self.per_page]), number, self, has_next=has_next)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self._ids(bottom, top)
        return IdFirstPage(self.load_rows(ids), number, self)
