from tests.integrations.resy.replay import recorded_resy

__all__ = ["recorded_resy"]
