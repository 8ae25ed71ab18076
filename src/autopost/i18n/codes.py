"""The code table: every stable code whose text people read, mapped to its source text (English, the msgid).

Errors, refusals and history events travel and are stored as a code plus
parameters; `autopost.i18n.render` looks the code up here (and in
`autopost.platforms.messages` for platform error codes), translates the text
with the gettext catalogs and fills the parameters in the reader's language.
`N_` only marks a text for Babel's extraction.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a text for extraction (gettext's conventional name); it is translated where shown."""
    return text


NAMES: dict[str, str] = {
    "plan.free": N_("Free"),
    "plan.start": N_("Start"),
    "plan.pro": N_("Pro"),
    "plan.business": N_("Business"),
    "platform.vk": N_("VK"),
    "platform.rutube": N_("Rutube"),
    "platform.dzen": N_("Dzen"),
    "platform.telegram": N_("Telegram"),
    "status.awaiting_approval": N_("Awaiting approval"),
    "status.scheduled": N_("Scheduled"),
    "status.publishing": N_("Publishing"),
    "status.published": N_("Published"),
    "status.failed": N_("Failed"),
    "status.cancelled": N_("Cancelled"),
    "clip.status.pending": N_("The clip is being processed…"),
    "clip.status.rendering": N_("The clip is still rendering…"),
    "clip.status.failed": N_("The clip could not be processed"),
    "clip.status.ready": N_("Ready to publish"),
    "role.owner": N_("Owner"),
    "role.editor": N_("Editor"),
    "role.approver": N_("Approver"),
    "role.viewer": N_("Viewer"),
    "webhook_event.publication.published": N_("Publication published"),
    "webhook_event.publication.failed": N_("Publication failed"),
    "webhook_event.publication.cancelled": N_("Publication cancelled"),
    "webhook_event.connection.needs_reconnect": N_("Account needs reconnecting"),
    "webhook_event.approval.requested": N_("Approval requested"),
    "webhook_event.approval.decided": N_("Approval decided"),
    "webhook_status.pending": N_("Being delivered"),
    "webhook_status.delivered": N_("Delivered"),
    "webhook_status.failed": N_("Not delivered"),
    "webhook_error.timeout": N_("no answer in time"),
    "webhook_error.unreachable": N_("could not connect"),
    "webhook_error.refused_url": N_("the address is not allowed"),
    "webhook_error.secret_unreadable": N_("the secret does not open: its key was removed"),
    "webhook_error.interrupted": N_("the attempt was interrupted"),
    "stats.group.day": N_("by day"),
    "stats.group.clip": N_("by clip"),
    "stats.group.series": N_("by series"),
    "stats.group.platform": N_("by platform"),
}

REFUSALS: dict[str, str] = {
    "bad_request": N_("Bad request"),
    "validation_error": N_("Invalid data: {detail}"),
    "not_authenticated": N_("Authentication required: log in or send an API token as Authorization: Bearer"),
    "csrf_failed": N_("The form has expired, reload the page and try again"),
    "not_found": N_("Not found"),
    "rate_limited": N_("Too many requests, try again in {seconds} s"),
    "login_failed": N_("Wrong email or password"),
    "login_throttled": N_("Too many failed login attempts. Try again in {seconds} s"),
    "login_throttled_minutes": N_("Too many failed login attempts. Try again in {minutes} min"),
    "connect_throttled": N_("Too many failed connection attempts. Try again in {minutes} min"),
    "request_too_large": N_("The request is larger than {limit_bytes}"),
    "wrong_password": N_("The current password is wrong"),
    "password_too_short": N_("The password must be at least {min} characters long"),
    "token_expiry_past": N_("The expiry date must be in the future"),
    "token_not_found": N_("Token {id} not found"),
    "token_already_revoked": N_("Token {id} is already revoked"),
    "token_name_unprintable": N_("A token name is one line of printable characters"),
    "clip_not_ready": N_("The clip is not ready to publish yet"),
    "plan_excludes_platform": N_("{platform} is not included in the {plan} plan — upgrade your plan"),
    "file_too_large": N_("The file ({size_bytes}) exceeds the {platform} limit of {limit_bytes}"),
    "needs_reconnect": N_("{platform} needs to be reconnected"),
    "caption_too_long": N_("{platform} caption: {length} characters, at most {limit} allowed"),
    "title_too_long": N_("{platform} title: {length} characters, at most {limit} allowed"),
    "title_missing": N_("{platform} needs a title"),
    "clip_length_out_of_range": N_(
        "VK Clips take clips from {min_seconds} to {max_seconds} long; this one lasts {seconds} s"
    ),
    "clip_not_vertical": N_(
        "VK Clips take vertical video (9:16); this one is {width}×{height}. Publish it to VK Video instead"
    ),
    "title_over_limit": N_("The title is longer than {limit} characters"),
    "description_over_limit": N_("The description is longer than {limit} characters"),
    "description_too_long": N_("{platform} description: {length} characters, at most {limit} allowed"),
    "scheduled_at_without_offset": N_("Give the time with its time zone offset"),
    "scheduled_too_soon": N_("The publication time must be at least {lead_seconds} ahead"),
    "scheduled_at_out_of_range": N_("The publication time must be at most {horizon_seconds} ahead"),
    "duplicate_target": N_("The same account is chosen twice"),
    "already_live": N_("This clip is already being published to this {platform} account"),
    "already_published": N_(
        'The clip is already published to this {platform} account. To publish it once more, tick "Publish '
        'again"'
    ),
    "no_targets": N_("Choose at least one platform"),
    "already_publishing": N_("The publication is already running and cannot be cancelled"),
    "not_cancellable": N_("This publication can no longer be cancelled"),
    "not_reschedulable": N_("Only a scheduled publication can be rescheduled"),
    "not_retryable": N_("Only a failed publication can be retried"),
    "clip_busy": N_("The clip is being published and cannot be deleted"),
    "clip_too_large": N_("The file is larger than {limit_bytes}"),
    "not_a_video": N_("The file is not a video: upload MP4, MOV or WebM"),
    "upload_offset_mismatch": N_("The upload has {offset} bytes already: resume from there"),
    "upload_busy": N_("Another request is writing this upload right now: try again"),
    "upload_past_length": N_("More bytes arrived than the upload's declared length"),
    "video_duration_unknown": N_("Could not tell the video's duration"),
    "thumbnail_too_large": N_("Could not make a thumbnail of the required size"),
    "clip_truncated": N_(
        "The video file is cut short: it ends before its header says it does. Upload the whole file"
    ),
    "source_probe_too_large": N_(
        "The clip at the link cannot be checked without downloading most of it: upload the file"
    ),
    "source_unreachable": N_("Could not download the clip from the link: {detail}"),
    "oauth_state_invalid": N_("The connection link has expired or was already used, start connecting again"),
    "oauth_not_configured": N_("{platform} connection is not configured by the administrator"),
    "oauth_denied": N_("Access was not granted"),
    "oauth_other_browser": N_(
        "This connection was started in another browser. Sign in here and start connecting again"
    ),
    "oauth_other_user": N_(
        "This connection was started by another user. Start connecting again in your own account"
    ),
    "idempotency_conflict": N_("This Idempotency-Key was already used for a different request"),
    "token_platform_only": N_("Use the OAuth connection for {platform}"),
    "web_session_unsupported": N_("{platform} does not connect through a browser session"),
    "session_platform_only": N_("{platform} connects through a browser session: hand over a cookie export"),
    # A connect body without the fields its platform needs (the schema's check; the API's validation error).
    "telegram_fields_missing": N_("Telegram needs bot_token and channel"),
    "rutube_fields_missing": N_("Rutube needs a token, or username and password"),
    # Accounts made and found from the command line.
    "email_invalid": N_("Invalid email: {email}"),
    "user_exists": N_("User {email} already exists"),
    "user_not_found": N_("User {email} not found"),
    # Workspaces and their members.
    "role_forbids": N_("Your role in this workspace ({role}) does not allow this"),
    "webhook_url_refused": N_(
        "The webhook URL must start with https:// and lead to a public address "
        "(plain http only to an internal host the operator allowed)"
    ),
    "webhook_no_events": N_("Choose at least one event"),
    "webhook_unknown_event": N_("Unknown event: {event}"),
    "webhook_delivery_pending": N_("This delivery is still being tried"),
    "workspace_name_invalid": N_("A workspace name is 1 to {max} characters"),
    "time_zone_unknown": N_("Unknown time zone: {time_zone}"),
    "stats_period_reversed": N_("The period ends ({last}) before it begins ({first})"),
    "stats_date_invalid": N_("Not a date: {value} (expected YYYY-MM-DD)"),
    "stats_period_too_long": N_("A stats period is at most {max_days} days long"),
    "stats_date_out_of_range": N_("Stats dates run from {earliest} to {latest}"),
    "member_exists": N_("{email} is already a member of this workspace"),
    "last_owner": N_("A workspace needs an owner: make someone else owner first"),
    # Approval of an editor's publications.
    "not_awaiting_approval": N_("This publication is not awaiting approval"),
    "approval_time_passed": N_("The publication time has passed: publish now or choose a new time"),
    "approval_choice_twice": N_("Choose one: publish now or a new time"),
    "rejection_comment_missing": N_("Say why the publication is rejected"),
    "rejection_comment_too_long": N_("The comment is longer than {limit} characters"),
    "notify_bot_not_configured": N_("The administrator has not set up the notification bot"),
    "notify_bot_unreachable": N_("The notification bot does not answer, try again later"),
    # Invitations.
    "mail_not_configured": N_("This installation sends no mail (AUTOPOST_SMTP_URL is not set)"),
    "invitation_mail_failed": N_("The mail server did not take the invitation. Try again later"),
    "invitation_pending": N_("{email} is already invited: send the invitation again instead"),
    "invitation_unknown": N_("This invitation link is wrong or was replaced by a newer one"),
    "invitation_accepted": N_("This invitation has already been used"),
    "invitation_revoked": N_("This invitation was revoked"),
    "invitation_expired": N_("This invitation has expired: ask for a new one"),
    "invitation_other_email": N_("This invitation is for {email}: sign in with that address to accept it"),
    # Series and posting slots.
    "series_empty": N_("Choose at least one clip and one account with its time"),
    "series_too_big": N_("A series takes at most {clips} clips and {accounts} accounts"),
    "series_duplicate_clip": N_("The same clip is chosen twice"),
    "series_cadence_invalid": N_("Choose every day, every 2 to 30 days, or at least one weekday"),
    "series_too_long": N_("The series would run longer than {days} days: choose fewer skipped days"),
    "series_time_invalid": N_("{value} is not a time: give it as HH:MM"),
    "slot_weekday_invalid": N_("A weekday is a number from 0 (Monday) to 6 (Sunday)"),
    "slots_too_many": N_("An account takes at most {limit} posting slots"),
    "no_free_slot": N_(
        "{platform}: no free posting slot in the next three months; add slots in the settings"
    ),
    # Templates and hashtag sets.
    "template_name_invalid": N_("A name is 1 to {max} characters"),
    "template_name_taken": N_("The name {name} is already taken in this workspace"),
    "template_text_empty": N_("Write the template's text"),
    "template_text_too_long": N_("The text is {length} characters long; no platform takes more than {limit}"),
    "hashtags_empty": N_("Give at least one hashtag"),
    "hashtag_has_space": N_("A hashtag has no spaces: {hashtag}"),
    "hashtag_invalid": N_("{hashtag} is not a hashtag: use letters, digits and _ only"),
}

# How a publication's failure is told beyond its PlatformError's own code (every PlatformError code,
# also those the engine raises around a provider call, has its text in autopost.platforms.messages).
FAILURES: dict[str, str] = {
    "attempts_exhausted": N_(
        "{platform} is not responding: all attempts are used up ({attempts}). Press “Retry” later"
    ),
    # A sentence stored before texts became codes (migration 0003): shown as it was written.
    "legacy": N_("{text}"),
}

# History events: the text of an event is its kind's, filled from the event's data.
EVENTS: dict[str, str] = {
    "event.created": N_("The publication is queued"),
    "event.scheduled": N_("The publication is scheduled"),
    "event.rescheduled": N_("The publication is rescheduled"),
    "event.started": N_("Attempt {attempt}: starting"),
    "event.processing": N_("The file is uploaded, the platform is processing the video"),
    "event.published": N_("Published"),
    "event.rate_limited": N_("The platform asks us to wait"),
    "event.retry_scheduled": N_("{reason}. We will retry automatically"),
    "event.token_refreshed": N_("The platform token was refreshed"),
    "event.failed": N_("{reason}"),
    "event.cancelled": N_("The publication is cancelled"),
    "event.cancelled.disconnect": N_("Cancelled: the platform was disconnected"),
    "event.cancelled.clip_deleted": N_("Cancelled: the clip was deleted"),
    "event.retried": N_("Retried on request"),
    "event.requeued": N_("The job was restored in the queue"),
    "event.awaiting_approval": N_("Waiting for approval"),
    "event.approved": N_("Approved by {approver}"),
    "event.rejected": N_("Rejected by {approver}: {comment}"),
}

CODES: dict[str, str] = {**NAMES, **REFUSALS, **FAILURES, **EVENTS}
