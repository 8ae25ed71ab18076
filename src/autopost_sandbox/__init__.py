"""Emulators of VK, Rutube, Дзен and Telegram (and their sign-in servers) with a control API.

A package of its own: the product imports it only where `autopost up --sandbox`
and `autopost sandbox` wire it in, and it imports nothing of the product but
the neutral streaming multipart reader.
"""
