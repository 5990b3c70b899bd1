"""The campaign file read section by section: each module turns its TOML sections into Campaign fields
(`read(raw, r, …) -> dict`), checking what those sections refer to. campaign.load puts them together."""
