"""What each platform error code says to a person, in English (the gettext source language).

Every PlatformError's code has its text here, whoever raises it (a provider, the
clip's byte source, the engine around a provider call). Providers raise errors
with a code and parameters only; autopost.i18n renders the text in the reader's
language. `N_` marks the texts for Babel's extraction without translating them.

Parameters: `{platform}` a platform's name; `{length}` / `{limit}` character
counts; `*_bytes` sizes in bytes (formatted per language where rendered);
`{reason}`, `{parameter}`, `{error}`, `{error_code}`, `{status}` the platform's own
words or numbers, shown as they came; `{domain}` a site's host name (vk.com).
"""

from __future__ import annotations

from autopost.platforms.catalog import Platform


def N_(text: str) -> str:
    """Mark a text for extraction (gettext's conventional name); it is translated where shown."""
    return text


MESSAGES: dict[str, str] = {
    # ------------------------------------------------------------ around every provider call
    "clip_missing": N_("The clip's file was not found"),
    "clip_changed": N_("The clip file has changed or is damaged, upload it again"),
    "clip_source_unavailable": N_("The clip source is unavailable, we will retry later"),
    # The clip's source URL now leads somewhere the outbound guard refuses (autopost.security.outbound).
    "source_refused": N_("The link points to an address clips are not downloaded from"),
    "token_missing": N_("The token has expired, reconnect the platform"),
    "token_expired": N_("The token has expired, reconnect the platform"),
    "refresh_busy": N_("Refreshing the platform token, we will retry later"),
    "internal_error": N_("Internal error, we will retry automatically"),
    # ------------------------------------------------------------ web sessions (cookie exports)
    "web_session.unreadable": N_(
        "Could not read the cookies. Paste the whole export: a cookies.txt file, the JSON from an "
        "extension or the Cookie header"
    ),
    "web_session.no_cookies": N_(
        "The export has no valid cookies for {domain}. Sign in to {domain} in your browser and export the "
        "cookies again"
    ),
    # ------------------------------------------------------------ VK
    "vk.token_expired": N_("The VK token has expired or was revoked, reconnect VK"),
    "vk.too_many_requests": N_("VK asks us to slow down, we will try again shortly"),
    "vk.flood_control": N_("VK has temporarily limited repeated actions, we will retry later"),
    "vk.daily_limit": N_("The daily VK video upload limit is used up, we will continue tomorrow"),
    "vk.internal_error": N_("Internal VK error, we will retry later"),
    "vk.bad_answer": N_("VK answered with an error, we will retry later"),
    "vk.no_rights": N_("No rights to publish in the community"),
    "vk.access_denied": N_(
        "VK denied access: the app has not been granted rights to videos or the wall. Reconnect VK; if "
        "that does not help, VK support grants these rights after reviewing the app"
    ),
    "vk.captcha": N_(
        "VK asks for a captcha. Open VK in your browser, confirm that you are not a robot, and press “Retry”"
    ),
    # The link (param captcha_url) is shown beside the text: VK's own check page on VK ID.
    "vk.captcha_check": N_(
        "VK wants to make sure you are not a robot. Open VK's check with the link, pass it and press “Retry”"
    ),
    "vk.web_signed_out": N_(
        "The vk.com session has ended: you signed out of VK in the browser or VK ended the sign-in. Sign "
        "in to vk.com again, export the cookies anew and reconnect VK Clips"
    ),
    "vk.web_unavailable": N_("vk.com did not open, we will try again later"),
    "vk.validation_required": N_(
        "VK requires the sign-in to be confirmed: open VK and reconnect the account"
    ),
    "vk.user_deleted": N_("The VK page has been deleted or blocked"),
    "vk.processing_failed": N_(
        "VK could not process the video. Check the file (MP4, H.264) and upload it again"
    ),
    "vk.bad_parameter": N_("VK rejected the request: {parameter}"),
    "vk.unknown_method": N_("This VK method is not available to the app"),
    "vk.refused": N_("VK rejected the request (error {error_code})"),
    "vk.upload_failed": N_("The VK upload server did not accept the file, we will retry later"),
    "vk.upload_refused": N_("The VK upload server rejected the file"),
    "vk.upload_url_expired": N_("VK did not accept the upload address, we will retry later"),
    "vk.video_missing": N_("The video was not found on VK: it may have been deleted. Publish the clip again"),
    "vk.not_started": N_("Publishing to VK has not started yet"),
    "vk.file_too_large": N_("The file ({size_bytes}) exceeds the VK limit ({limit_bytes})"),
    "vk.title_too_long": N_("Title for VK: {length} characters, at most {limit} allowed"),
    "vk.description_too_long": N_("Description for VK: {length} characters, at most {limit} allowed"),
    "vk.id_rate_limited": N_("VK ID asks us to wait, we will retry later"),
    "vk.id_unavailable": N_("VK ID is temporarily unavailable, we will retry later"),
    "vk.id_unreachable": N_("The platform is unavailable, we will retry later"),
    "vk.id_client": N_("VK ID did not recognise the app: check client_id in the settings"),
    "vk.id_no_answer": N_("VK ID did not answer in time, connect VK again"),
    "vk.id_refused": N_("VK ID refused the sign-in ({error}), connect VK again"),
    "vk.code_refused": N_("The VK sign-in code has expired or was already used, connect VK again"),
    "vk.refresh_refused": N_("The VK token has expired, reconnect VK"),
    "vk.refresh_lost": N_("VK ID did not answer while refreshing the token, reconnect VK"),
    "vk.scope_missing": N_(
        "VK did not give the app access to videos (scope video). VK grants it to VK ID apps only after a "
        "review: the service administrator has to request access from VK support"
    ),
    "vk.device_id_missing": N_("VK did not return a device_id: start connecting again"),
    # ------------------------------------------------------------ Rutube
    "rutube.server_error": N_("Rutube is temporarily unavailable, we will retry later"),
    "rutube.bad_answer": N_("Rutube sent an unexpected answer, we will retry later"),
    "rutube.token_invalid": N_("Rutube does not accept the token. Connect the Rutube account again"),
    "rutube.rate_limited": N_("Rutube asks us to wait, we will retry later"),
    "rutube.not_found": N_("Rutube: not found"),
    "rutube.forbidden": N_("Rutube denies access to this video"),
    # Rutube answers a mistyped password and a password-less account alike: both are named.
    "rutube.login_refused": N_(
        "Rutube refused the login and password: the password may be wrong, or the account signs in through "
        "VK ID, Gosuslugi or a phone number — such accounts have no password. Check the password or "
        "connect the account with a Rutube token"
    ),
    "rutube.bad_request": N_("Rutube rejected the request: {reason}"),
    "rutube.bad_field.url": N_("Rutube rejected the request: file link — {reason}"),
    "rutube.bad_field.title": N_("Rutube rejected the request: title — {reason}"),
    "rutube.bad_field.description": N_("Rutube rejected the request: description — {reason}"),
    "rutube.bad_field.category_id": N_("Rutube rejected the request: category — {reason}"),
    "rutube.bad_field.is_hidden": N_("Rutube rejected the request: visibility — {reason}"),
    "rutube.bad_field.username": N_("Rutube rejected the request: login — {reason}"),
    "rutube.bad_field.password": N_("Rutube rejected the request: password — {reason}"),
    "rutube.rejected": N_("Rutube rejected the request (HTTP {status})"),
    "rutube.refresh_token_spent": N_(
        "Rutube no longer accepts this sign-in (it was signed out or used elsewhere). Sign in on "
        "rutube.ru again, copy the refreshToken cookie and connect the account again"
    ),
    "rutube.no_refresh_cookie": N_(
        "The cookie export has no refreshToken cookie for rutube.ru: export it while signed in"
    ),
    "rutube.reconnect": N_(
        "The Rutube token is not refreshed automatically. Connect the Rutube account again"
    ),
    "rutube.file_too_large": N_("The file ({size_bytes}) exceeds the Rutube limit ({limit_bytes})"),
    "rutube.title_too_long": N_(
        "The title is longer than {limit} characters — Rutube does not accept that much"
    ),
    "rutube.description_too_long": N_(
        "The description is longer than {limit} characters — Rutube does not accept that much"
    ),
    "rutube.no_media_url": N_("There is no link from which Rutube could download the clip"),
    "rutube.create_unconfirmed": N_(
        "Rutube did not confirm that the video was created. A retry checks the channel first so that the "
        "video is not published twice"
    ),
    "rutube.ambiguous": N_(
        "Could not tell whether the video was published: Rutube has several similar ones. Check the "
        "channel before retrying"
    ),
    "rutube.lookup_inconclusive": N_(
        "Could not tell whether the video was published. Check the Rutube channel before retrying"
    ),
    "rutube.video_deleted": N_("The video was deleted on Rutube"),
    "rutube.video_rejected": N_("Rutube did not accept the video ({reason})"),
    "rutube.download_failed": N_("Rutube could not download the clip file from our link"),
    "rutube.not_a_video": N_("Rutube did not recognise the file as a video"),
    "rutube.platform_file_too_large": N_("Rutube did not accept the file: it is larger than {limit_bytes}"),
    "rutube.processing_failed": N_("Rutube could not process the video"),
    # ------------------------------------------------------------ Dzen
    "dzen.rate_limited": N_("Dzen asks us to wait"),
    "dzen.unavailable": N_("Dzen is temporarily unavailable, we will retry later"),
    "dzen.bad_answer": N_("Dzen is temporarily unavailable, we will retry later"),
    "dzen.session_ended": N_(
        "The dzen.ru session has ended: you signed out of Dzen in the browser or Yandex ended the "
        "sign-in. Sign in to dzen.ru again, export the cookies anew and reconnect Dzen"
    ),
    "dzen.forbidden": N_(
        "Dzen no longer lets this session publish to the channel. Sign in to dzen.ru as the channel's "
        "owner or editor, export the cookies anew and reconnect Dzen"
    ),
    # Connections made through Yandex OAuth before Dzen moved to browser sessions (migration 0007).
    "dzen.session_required": N_(
        "Dzen is now connected through your signed-in dzen.ru browser session: Yandex OAuth gives no "
        "access to Dzen. Sign in to dzen.ru, export the cookies and connect Dzen again"
    ),
    "dzen.no_channel": N_(
        "You are signed in to dzen.ru, but this account has no channel to publish to. Sign in as the "
        "channel's owner or editor and export the cookies again"
    ),
    "dzen.csrf_invalid": N_("The Dzen editor refused its security token twice in a row, we will retry later"),
    "dzen.captcha": N_(
        "Dzen asks for a captcha after many automated actions. Publish one video from your browser or "
        "wait a few hours, then press “Retry”"
    ),
    "dzen.refused": N_("Dzen rejected the request: {reason}"),
    "dzen.platform_file_too_large": N_("The file is larger than {limit_bytes}, the Dzen limit"),
    "dzen.unsupported_format": N_("Dzen did not accept the file format: an MP4 video is needed"),
    "dzen.not_found": N_("The Dzen draft of this publication is gone (deleted in the studio?)"),
    "dzen.processing_failed": N_("Dzen could not convert the video"),
    "dzen.draft_unconfirmed": N_(
        "Dzen did not confirm that the draft was created. An empty draft may be left in the Dzen studio; "
        "press “Retry” to publish"
    ),
    "dzen.publish_not_confirmed": N_(
        "Dzen did not confirm the publication; we will check and retry later (no second video will appear)"
    ),
    "dzen.empty_file": N_("The clip file is empty"),
    "dzen.file_too_large": N_("The file ({size_bytes}) exceeds the Dzen limit of {limit_bytes}"),
    "dzen.title_missing": N_("Dzen needs a video title"),
    "dzen.title_too_long": N_("Title for Dzen: {length} characters, at most {limit} allowed"),
    "dzen.description_too_long": N_("Description for Dzen: {length} characters, at most {limit} allowed"),
    # ------------------------------------------------------------ Telegram
    "telegram.unavailable": N_("Telegram is temporarily unavailable, we will retry later"),
    "telegram.rate_limited": N_("Telegram asks us to wait: too many posts in a row"),
    "telegram.token_revoked": N_(
        "Telegram does not accept the bot token: it has been revoked. Connect the channel again with a new "
        "token"
    ),
    "telegram.bad_token": N_("Invalid bot token: get it from @BotFather"),
    "telegram.platform_file_too_large": N_(
        "Telegram did not accept the file: it is larger than a bot may send"
    ),
    "telegram.chat_not_found": N_("Channel not found: check the @name or -100…"),
    "telegram.not_member": N_("The bot has not been added to the channel"),
    "telegram.not_admin": N_("The bot is not an admin of the channel"),
    "telegram.forbidden": N_("The bot is not an admin of the channel"),
    "telegram.platform_caption_too_long": N_(
        "The caption is longer than Telegram accepts. Shorten the title or the description"
    ),
    "telegram.bad_caption": N_("Telegram could not parse the caption"),
    "telegram.rejected": N_("Telegram rejected the post: {reason}"),
    "telegram.not_a_channel": N_(
        "This is not a channel: enter the @name or -100… of a channel where the bot is an admin"
    ),
    "telegram.no_refresh": N_(
        "The bot token cannot be refreshed: if it was revoked, connect the channel again with a new token"
    ),
    "telegram.outcome_unknown": N_(
        "Could not tell whether the post was published. Check the channel before retrying"
    ),
    "telegram.file_too_large": N_(
        "Telegram accepts videos from a bot up to {limit_bytes}, and the clip is {size_bytes}"
    ),
    "telegram.caption_too_long": N_(
        "The caption for Telegram is longer than {limit} characters (now {length}): shorten the title or "
        "the description"
    ),
    "telegram.preview_rate_limited": N_("t.me asks us to wait, we will retry later"),
    "telegram.preview_unavailable": N_("The t.me channel page is unavailable, we will retry later"),
}

# Transport failures (platforms.http.send): the same words on every platform.
for _platform in Platform:
    MESSAGES[f"{_platform}.unreachable"] = N_("The platform is unavailable, we will retry later")
    MESSAGES[f"{_platform}.connection_lost"] = N_("The platform is unavailable, we will retry later")
    MESSAGES[f"{_platform}.no_answer"] = N_(
        "The platform did not answer in time. Check whether the post appeared before retrying"
    )
    # Resumable (TUS) uploads, platforms.tus: the same words wherever the upload host is.
    MESSAGES[f"{_platform}.upload_gone"] = N_(
        "The upload server forgot the upload in progress; it will start over"
    )
    MESSAGES[f"{_platform}.upload_unavailable"] = N_(
        "The upload server is unavailable; the upload will continue later"
    )
    MESSAGES[f"{_platform}.upload_throttled"] = N_(
        "The upload server asks us to wait; the upload will continue later"
    )
    MESSAGES[f"{_platform}.upload_refused"] = N_("The upload server refused the file (answer {status})")
