"""newsbot: reads the feeds a Discord server follows and posts each article section by section."""

__version__ = "0.1.0"
