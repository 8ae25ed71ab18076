"""autopost: publishes ClipMaker clips to VK Clips, Rutube, Dzen and Telegram."""

__version__ = "0.1.0"
