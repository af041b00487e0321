"""The desk at a screening site: check-in and its undo, walk-ins, the day list
and search, results entered at the desk, lab imports, the follow-up worklist and
the no-show sweep; its pages (urls, *_views), its JSON API (api_urls, apis) and
the services and selectors behind both."""
