"""autopost: publishes КлипМейкер clips to VK Клипы, Rutube, Дзен and Telegram."""

__version__ = "0.1.0"
