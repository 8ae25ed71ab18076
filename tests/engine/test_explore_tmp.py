import json
from autopost.platforms.catalog import Platform


async def test_explore(stack) -> None:
    connections = [await stack.connect(p) for p in Platform]
    await stack.start_worker()
    ids = await stack.publish(*connections)
    for i in ids:
        p = await stack.wait_for(i)
        print(p.platform, p.status, p.attempts, p.remote_id, p.remote_url, p.error_message, p.published_at, await stack.event_kinds(i))
    print(json.dumps(await stack.posts(), indent=1, ensure_ascii=False)[:6000])
