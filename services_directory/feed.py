"""Read a live Open Referral UK feed: page through /services, then fetch each
/services/{id} (the fully nested body). Retries with back-off on connection
errors and 429/5xx answers; every failure becomes one clear FeedError.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 1000  # a guard against a feed whose paging never ends
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)


class FeedError(Exception):
    """The feed could not be read, or is not an Open Referral UK feed."""


def base_url(url: str) -> str:
    """Accept the API root or its /services URL: 'https://x/api/services' -> 'https://x/api'."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedError(f"{url!r} is not an http(s) URL")
    root = url.strip().split("?", 1)[0].rstrip("/")
    return root.removesuffix("/services")


def http_session(retries: int = 3, backoff: float = 0.5) -> requests.Session:
    retry = Retry(total=retries, connect=retries, read=retries, status=retries,
                  backoff_factor=backoff, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"GET"}), raise_on_status=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json",
                            "User-Agent": "essex-signpost-directory/1"})
    return session


def _get_json(session: requests.Session, url: str, params: dict | None,
              timeout: tuple[float, float]) -> object:
    try:
        response = session.get(url, params=params, timeout=timeout)
    except requests.exceptions.RetryError as exc:
        raise FeedError(f"{url} kept failing after retries: {exc}") from exc
    except requests.exceptions.Timeout as exc:
        raise FeedError(f"{url} did not answer in time ({exc.__class__.__name__})") from exc
    except requests.exceptions.ConnectionError as exc:
        raise FeedError(f"cannot reach {url}: connection failed") from exc
    except requests.exceptions.RequestException as exc:
        raise FeedError(f"cannot read {url}: {exc}") from exc
    if response.status_code != 200:
        raise FeedError(f"{response.url} answered HTTP {response.status_code}")
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deeply
        raise FeedError(f"{response.url} did not return JSON; is this an Open Referral UK "
                        "feed?") from exc


def fetch_services(url: str, *, retries: int = 3, backoff: float = 0.5,
                   timeout: tuple[float, float] = TIMEOUT, per_page: int = PER_PAGE
                   ) -> list[dict]:
    """Every service of the feed, fully nested. Raises FeedError."""
    root = base_url(url)
    session = http_session(retries, backoff)
    ids: list[str] = []
    try:
        for page in range(1, MAX_PAGES + 1):
            data = _get_json(session, f"{root}/services", {"page": page, "per_page": per_page},
                             timeout)
            if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
                raise FeedError(f"{root}/services?page={page} is not an Open Referral UK page "
                                "(no 'contents' list)")
            for item in data["contents"]:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    raise FeedError(f"{root}/services?page={page}: a listed service has no id")
                ids.append(item["id"])
            total_pages = data.get("total_pages")
            if (not data["contents"] or data.get("last_page") is True
                    or (isinstance(total_pages, int) and page >= total_pages)):
                break
        else:
            raise FeedError(f"{root}/services has more than {MAX_PAGES} pages; giving up")
        log.info("feed %s lists %d services", root, len(ids))
        services = []
        for service_id in dict.fromkeys(ids):  # a service listed twice is fetched once
            body = _get_json(session, f"{root}/services/{service_id}", None, timeout)
            if not isinstance(body, dict):
                raise FeedError(f"{root}/services/{service_id} is not a JSON object")
            services.append(body)
        return services
    finally:
        session.close()
