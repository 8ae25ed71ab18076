"""The sandbox's seeded demo accounts, as docs/platforms.md (and each platform's page) lists them.

Nothing is imported here: benchmarks that measure a process's memory take these without the product.
"""

DEMO = {
    "vk_token": "vk1.a.sandbox-demo-token-anna-smirnova",
    "telegram_bot": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",  # admin of @clipmaker_demo
    "telegram_channel": "@clipmaker_demo",
    "telegram_chat_id": "-1001000000001",
    "rutube_token": "237f241fa79014efe1b9880619f0c67f43f7f03c",
}
VK_API_VERSION = "5.199"
