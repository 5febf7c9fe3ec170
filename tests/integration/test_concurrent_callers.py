"""Requests in flight at the same time each act for their own caller (the local runtime serves many
at once in one process; the resolver's current request must not leak between them)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.support_api import Answer, Api, User


def test_concurrent_requests_of_different_users_each_see_their_own(api: Api) -> None:
    users = [api.user() for _ in range(10)]

    def read(user: User) -> Answer:
        return user.call("GET", "/me/security-info")

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            answers = list(pool.map(read, users))
        assert [a.body.get("userId") for a in answers] == [u.user_id for u in users]
