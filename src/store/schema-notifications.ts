/** Row types of the notification tables (migration 0012, src/notifications). */
export interface NotificationTables {
  notification_settings: NotificationSettingsTable;
  notification_templates: NotificationTemplatesTable;
  notification_keys: NotificationKeysTable;
  notification_unsubscribes: NotificationUnsubscribesTable;
  notification_throttle: NotificationThrottleTable;
  notifications: NotificationsTable;
}

/** An environment's notification settings (channel, operators, kinds, throttle), as JSON. */
export interface NotificationSettingsTable {
  environment_id: string;
  settings: string;
  updated_at: number;
}

/** The host's override of one kind's template. */
export interface NotificationTemplatesTable {
  environment_id: string;
  kind: string;
  subject: string;
  text: string;
  html: string;
  updated_at: number;
}

/** The key signing an environment's unsubscribe and reconnect links: a vault envelope. */
export interface NotificationKeysTable {
  environment_id: string;
  secret: string;
  created_at: number;
}

/** An end user who asked for no more emails of one kind. */
export interface NotificationUnsubscribesTable {
  environment_id: string;
  end_user_id: string;
  kind: string;
  created_at: number;
}

/** The last email of a kind about a subject (`conn:<id>` or `user:<id>`). */
export interface NotificationThrottleTable {
  environment_id: string;
  subject: string;
  kind: string;
  last_at: number;
}

/**
 * One notification: an email queued, sent or failed, or one suppressed (`throttled`,
 * `unsubscribed`, `no_address`), with what it was about and how it went.
 */
export interface NotificationsTable {
  id: string;
  environment_id: string;
  kind: string;
  /** `queued`, `sent`, `failed`, `throttled`, `unsubscribed`, `no_address`. */
  status: string;
  /** `end_user` or `operators`. */
  audience: string;
  recipient: string | null;
  end_user_id: string | null;
  connection_id: string | null;
  /** `smtp` or `connection:<id>`; null for a suppression. */
  channel: string | null;
  /** What caused it and for whom: unique per environment, so a retried job finds its own row. */
  source_key: string;
  event_id: string | null;
  subject: string | null;
  /** JSON of the rendered message (from, to, subject, text, html, headers) for the send job. */
  message: string | null;
  provider_message_id: string | null;
  smtp_response: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}
