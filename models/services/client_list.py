"""The client list for one search, read a page at a time (ClientList): a 100 000-client
book is never read whole to show one screen. Apart from the rest of the client
services because it is a reader with its own SQL and paging, not a use case; the
SQL it runs is built in client_list_sql.py, and this module decides which pages to
read, keeps them and finds rows in them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from models.db import Book
from models.reads import many_small_objects
from models.services.client_list_sql import (
    PAGE_TAGS,
    count_statement,
    first_statement,
    list_row,
    page_statement,
    position_statements,
    statement_sql,
)
from models.services.clients import ClientRow, ListKey
from models.text import search_words

# A ClientList keeps its rows in pages of this many (about a screen); a read fetches
# the page asked for and the next one in the direction of reading unless asked for
# more, and more when reading goes on from where the last read ended, up to _MAX_READ.
LIST_PAGE = 24
_READ_PAGES = 2
_MAX_READ = 4096
# A gap of at most this many pages between a page asked for and rows already read is
# read too rather than skipped (skipping them costs the book as much as reading them).
_NEAR_PAGES = 2
# Rows kept per list: the pages read least recently go first (about 1 KB a row).
_MAX_KEPT = 16384
# Ids per IN list when reading tags (well under SQLite's limit on bound parameters).
_IDS_PER_QUERY = 4096
# A search that narrows one that matched at most this share of the clients reads its
# first page and its count in one pass (see ClientList._read_first).
_NARROW_SHARE = 4


# The last count each book's list had, per (book, archived shown, day): the words
# searched, how many matched, how many clients there were. Only chooses how the next
# search reads (ClientList._read_first), never what it finds.
_recent: dict[tuple[str, bool, date], tuple[tuple[str, ...], int, int]] = {}


@dataclass(slots=True)
class _Page:
    """Rows ``n * page_size`` onwards of a ClientList, with the list keys of the first
    and last (None when some rows were missing: the book changed since the count)."""

    rows: list[ClientRow | None]
    first: ListKey | None
    last: ListKey | None


class ClientList(Sequence[ClientRow]):
    """The client list for one search, read a page at a time, in list order, anywhere.

    ``len()`` is the number of matching clients (one count); rows are read from the
    book only where someone asks (indexing, ``read_around``), a few pages per read, so
    a 100 000-client book shows its first screen, or its last, after reading a page or
    two, not every client. A page is read by keyset from the nearest rows already
    read, or from either end of the list (the list in reverse), skipping the rows in
    between with OFFSET when they are far; reading on from where the last read ended
    reads more at a time. At most ``max_kept`` rows are kept, the pages read least
    recently are dropped first (and read again if asked for). The first page of a
    search that narrows a narrow one comes with the count, in one pass over the book.

    Reads go through the book's plain sqlite3 connection (``Book.read``), never ORM
    objects. The order is the one the client list shows by default (see ListKey);
    ``reverse`` reads the same clients the other way round. A list reflects the book
    as it was when each page was read: after a change, ask for a new one (the window
    does, on every change). Until then rows read after the change may not line up
    with the count: a row missing at the end of a read reads as None from ``cached``
    and raises IndexError from indexing.
    """

    def __init__(
        self,
        book: Book,
        query: str = "",
        *,
        include_archived: bool = False,
        today: date,
        reverse: bool = False,
        page_size: int | None = None,
        max_kept: int | None = None,
    ) -> None:
        self.book = book
        self.query = query
        self.include_archived = include_archived
        self.today = today
        self.reverse = reverse
        self.page_size = max(1, LIST_PAGE if page_size is None else page_size)
        self.max_kept = _MAX_KEPT if max_kept is None else max_kept
        self._words = tuple(search_words(query))
        self._shape = (len(self._words), include_archived)
        self._args: dict[str, Any] = {f"w{i}": w for i, w in enumerate(self._words)}
        self._args["today"] = today.isoformat()
        self._count: int | None = None
        self._total: int | None = None
        # The same clients the other way round: whichever is counted first tells the other.
        self._twin: ClientList | None = None
        # Page number -> its rows, least recently used first; client id -> position.
        self._pages: dict[int, _Page] = {}
        self._kept = 0
        self._where: dict[int, int] = {}
        # The last read: (backward, where the next read would carry on, rows read).
        self._streak: tuple[bool, int, int] | None = None
        # What this list has asked of the book so far (tests and the benchmark): row
        # reads, rows read, counts.
        self.reads = 0
        self.rows_read = 0
        self.counts = 0

    def _like(self, *, reverse: bool) -> ClientList:
        return ClientList(
            self.book,
            self.query,
            include_archived=self.include_archived,
            today=self.today,
            reverse=reverse,
            page_size=self.page_size,
            max_kept=self.max_kept,
        )

    def reversed_list(self) -> ClientList:
        """The same clients in the opposite order (a new list, nothing read yet; the
        two share their count)."""
        other = self._like(reverse=not self.reverse)
        other._twin, self._twin = self, other
        if self._count is not None and self._total is not None:
            other._count, other._total = self._count, self._total
        return other

    def again(self) -> ClientList:
        """The same search read afresh (after a change that may move clients)."""
        return self._like(reverse=self.reverse)

    # -- counting ---------------------------------------------------------------

    def _run(self, statement: Any, **args: Any) -> list[Any]:
        sql, params = statement_sql(statement, self._args, **args)
        with self.book.read() as conn:
            return conn.execute(sql, params).fetchall()

    def _counted(self) -> int:
        if self._count is None:
            [(matching, total)] = self._run(count_statement(*self._shape))
            self.counts += 1
            self._know(int(matching or 0), int(total or 0))
        assert self._count is not None
        return self._count

    def _know(self, count: int, total: int) -> None:
        self._count, self._total = count, total
        if self._twin is not None and self._twin._count is None:
            self._twin._count, self._twin._total = count, total
        if len(_recent) > 16:
            _recent.clear()
        key = (str(self.book.path), self.include_archived, self.today)
        _recent[key] = (self._words, count, total)

    def __len__(self) -> int:
        return self._counted()

    @property
    def total(self) -> int:
        """How many clients the list would show without the search's words (archived
        ones counted only when the list shows them), counted with the matches."""
        self._counted()
        assert self._total is not None
        return self._total

    def _narrows_a_narrow_search(self) -> bool:
        """Whether the last search counted on this book matched few clients and this
        one can only match some of those (each of its words is in one of this one's)."""
        recent = _recent.get((str(self.book.path), self.include_archived, self.today))
        if recent is None or not self._words:
            return False
        words, count, total = recent
        narrow = count * _NARROW_SHARE <= total
        return narrow and all(any(w in mine for mine in self._words) for w in words)

    # -- reading ----------------------------------------------------------------

    @property
    def kept(self) -> int:
        """How many rows are held in memory now."""
        return self._kept

    def kept_rows(self) -> list[ClientRow]:
        """The rows held in memory now (in no particular order)."""
        return [row for page in self._pages.values() for row in page.rows if row is not None]

    def cached(self, index: int) -> ClientRow | None:
        """Row ``index`` if it has been read (and is still kept), else None; never
        asks the book."""
        n = index // self.page_size
        page = self._pages.get(n)
        if page is None:
            return None
        if n != next(reversed(self._pages)):  # most recently used goes last
            del self._pages[n]
            self._pages[n] = page
        at = index - n * self.page_size
        return page.rows[at] if 0 <= at < len(page.rows) else None

    def is_read(self, index: int) -> bool:
        """Whether row ``index``'s page is kept (its row may still be None: gone)."""
        return index // self.page_size in self._pages

    def read_around(self, index: int, rows: int | None = None) -> list[ClientRow]:
        """Read the page holding row ``index`` unless it is kept, with the next page in
        the direction of reading (``rows`` rows in all when given, in whole pages), and
        any short gap to the rows already read; returns the rows newly read."""
        size = self.page_size
        want = _READ_PAGES * size if rows is None else rows
        first = self._count is None and not self._pages and 0 <= index < want
        if first and self._narrows_a_narrow_search():
            return self._read_first(want)
        count = self._counted()
        if not 0 <= index < count or self.is_read(index):
            return []
        number = index // size
        lo, hi = number * size, min(count, (number + 1) * size)
        # The nearest rows read on either side (or the ends of the list), as anchors.
        before, before_key, after, after_key = -1, None, count, None
        for n, page in self._pages.items():
            if page.first is None or page.last is None:
                continue
            if n < number and (n + 1) * size - 1 > before:
                before, before_key = (n + 1) * size - 1, page.last
            elif n > number and n * size < after:
                after, after_key = n * size, page.first
        near = _NEAR_PAGES * size
        backward = lo - (before + 1) > after - hi
        if not backward:
            start = before + 1 if lo - (before + 1) <= near else lo
            want = self._carry_on(False, start, want)
            stop = min(after, max(hi, start + want))
            key, offset = before_key, start - (before + 1)
        else:
            stop = after if after - hi <= near else hi
            want = self._carry_on(True, stop, want)
            start = max(before + 1, min(lo, -(-(stop - want) // size) * size))
            key, offset = after_key, after - stop
        fetched = self._fetch(key, backward, offset, stop - start)
        self._streak = (backward, start if backward else stop, stop - start)
        if backward:
            fetched.reverse()
        return self._keep_read(start, stop, fetched, backward=backward)

    def _read_first(self, want: int) -> list[ClientRow]:
        """The first ``want`` rows (whole pages) and the count, in one statement."""
        size = self.page_size
        want = max(size, -(-want // size) * size)
        sql, params = statement_sql(
            first_statement(*self._shape, self.reverse), self._args, limit=want
        )
        with many_small_objects():
            with self.book.read() as conn:
                page = conn.execute(sql, params).fetchall()
                tags = self._tags(conn, page)
            fetched = [(tuple(r[13:16]), list_row(r, tags)) for r in page]
        self.reads += 1
        self.rows_read += len(fetched)
        if page:
            self._know(int(page[0][16]), int(page[0][17]))
        else:  # nothing matches
            self._know(0, self._run(count_statement(0, self.include_archived))[0][1])
        stop = min(want, self._counted())
        self._streak = (False, stop, stop)
        return self._keep_read(0, stop, fetched)

    def _keep_read(
        self,
        start: int,
        stop: int,
        fetched: list[tuple[ListKey, ClientRow]],
        *,
        backward: bool = False,
    ) -> list[ClientRow]:
        """Keep rows ``start``..``stop`` just read (in list order, from the end when
        read ``backward``) as pages."""
        size = self.page_size
        got: list[tuple[ListKey, ClientRow] | None] = list(fetched)
        missing = [None] * (stop - start - len(got))  # gone since the count
        got = missing + got if backward else got + missing
        new: list[ClientRow] = []
        for first in range(start, stop, size):
            part = got[first - start : first - start + size]
            rows = [r[1] if r is not None else None for r in part]
            whole = None not in part
            first_key = part[0][0] if whole and part[0] is not None else None
            last_key = part[-1][0] if whole and part[-1] is not None else None
            self._keep(first // size, _Page(rows, first_key, last_key))
            new += [r for r in rows if r is not None]
        self._forget_oldest(keep=(stop - start + size - 1) // size)
        return new

    def _carry_on(self, backward: bool, at: int, want: int) -> int:
        """``want`` rows, or twice as many as the last read when this one carries on
        from where that one ended, in whole pages, at most _MAX_READ."""
        streak = self._streak
        if streak is not None and streak[0] == backward and streak[1] == at:
            want = max(want, 2 * streak[2])
        size = self.page_size
        most = max(1, min(_MAX_READ, self.max_kept // 2) // size)
        return max(size, min(-(-want // size), most) * size)

    def _keep(self, number: int, page: _Page) -> None:
        old = self._pages.pop(number, None)
        if old is not None:
            self._drop(number, old)
        self._pages[number] = page
        self._kept += len(page.rows)
        for i, row in enumerate(page.rows, number * self.page_size):
            if row is not None:
                self._where[row.id] = i

    def _drop(self, number: int, page: _Page) -> None:
        self._kept -= len(page.rows)
        for i, row in enumerate(page.rows, number * self.page_size):
            if row is not None and self._where.get(row.id) == i:
                del self._where[row.id]

    def _forget_oldest(self, keep: int) -> None:
        """Drop the pages used least recently while more rows are kept than allowed,
        but never the last ``keep`` pages read."""
        while self._kept > self.max_kept and len(self._pages) > keep:
            number = next(iter(self._pages))
            self._drop(number, self._pages.pop(number))

    @staticmethod
    def _tags(conn: Any, page: Sequence[Sequence[Any]]) -> dict[int, list[str]]:
        """The tags of the clients of ``page`` (rows with the client id first)."""
        tags: dict[int, list[str]] = {}
        for at in range(0, len(page), _IDS_PER_QUERY):
            ids = [r[0] for r in page[at : at + _IDS_PER_QUERY]]
            sql = PAGE_TAGS.format(marks=",".join("?" * len(ids)))
            for cid, name in conn.execute(sql, ids):
                tags.setdefault(cid, []).append(name)
        return tags

    def _fetch(
        self, key: ListKey | None, backward: bool, offset: int, limit: int
    ) -> list[tuple[ListKey, ClientRow]]:
        """``limit`` rows in list order (the other way when ``backward``) after the
        row with ``key`` (or from the start), skipping ``offset``; each with its key."""
        if limit <= 0:
            return []
        stmt = page_statement(*self._shape, self.reverse != backward, key is not None)
        sql, params = statement_sql(stmt, self._args, limit=limit, offset=offset)
        if key is not None:
            params.update(k0=key[0], k1=key[1], k2=key[2])
        with many_small_objects():
            with self.book.read() as conn:
                page = conn.execute(sql, params).fetchall()
                tags = self._tags(conn, page)
            got = [(tuple(r[13:16]), list_row(r, tags)) for r in page]
        self.reads += 1
        self.rows_read += len(got)
        return got  # type: ignore[return-value] - the keys are ListKeys

    def rows(self, start: int = 0, stop: int | None = None) -> list[ClientRow]:
        """Rows ``start``..``stop`` (all by default), read in one go where they are not
        all kept; rows read this way are not kept (a whole big list would not fit)."""
        count = self._counted()
        stop = count if stop is None else min(stop, count)
        start = max(0, start)
        if start >= stop:
            return []
        size = self.page_size
        if all(n in self._pages for n in range(start // size, (stop - 1) // size + 1)):
            kept = [self.cached(i) for i in range(start, stop)]
            if None not in kept:
                return kept  # type: ignore[return-value] - checked just above
        # Forward from the nearest whole page read before ``start`` (or the top).
        before, key = -1, None
        for n, page in self._pages.items():
            if page.last is not None and before < (n + 1) * size - 1 < start:
                before, key = (n + 1) * size - 1, page.last
        return [row for _key, row in self._fetch(key, False, start - before - 1, stop - start)]

    def __iter__(self) -> Iterator[ClientRow]:
        """Every row, in order, read in big batches by keyset (none of them kept)."""
        key: ListKey | None = None
        batch = max(self.page_size, _MAX_READ)
        while True:
            got = self._fetch(key, False, 0, batch)
            yield from (row for _key, row in got)
            if len(got) < batch:
                return
            key = got[-1][0]

    @overload
    def __getitem__(self, index: int) -> ClientRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ClientRow]: ...

    def __getitem__(self, index: int | slice) -> ClientRow | list[ClientRow]:
        count = self._counted()
        if isinstance(index, slice):
            start, stop, step = index.indices(count)
            if step == 1:
                return self.rows(start, stop)
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(index)
        self.read_around(index)
        row = self.cached(index)
        if row is None:  # gone since the count
            raise IndexError(index)
        return row

    def position(self, client_id: int) -> int:
        """Where ``client_id`` stands in this list (rows before it), or -1 when the
        search does not show it. Reads no rows."""
        kept = self._where.get(client_id)
        if kept is not None:
            return kept
        mine, ahead = position_statements(*self._shape, self.reverse)
        keys = self._run(mine, id=client_id)
        if not keys:
            return -1
        k0, k1, k2 = keys[0]
        return int(self._run(ahead, k0=k0, k1=k1, k2=k2)[0][0] or 0)
