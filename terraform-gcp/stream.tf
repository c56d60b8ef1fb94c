# The stream: one topic carries pageviews and ratings, told apart by the message attribute
# `entity` (pageviews|ratings), as stream-generate publishes them and stream-ingest reads them.
# Messages that stream-ingest fails to acknowledge five times go to the dead-letter topic.

resource "google_pubsub_topic" "events" {
  name   = "${local.prefix}-events"
  labels = local.labels
  # A day of backlog is enough to replay after a stopped stream-ingest.
  message_retention_duration = "86400s"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "deadletter" {
  name   = "${local.prefix}-events-deadletter"
  labels = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "stream_ingest" {
  name                       = "${local.prefix}-events-stream-ingest"
  topic                      = google_pubsub_topic.events.id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = "86400s"

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.deadletter.id
    max_delivery_attempts = 5
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  # A playground subscription nobody reads should not live forever.
  expiration_policy {
    ttl = "2678400s"
  }
}

# Keeps dead letters for a week so they can be inspected; nothing consumes them automatically.
resource "google_pubsub_subscription" "deadletter" {
  name                       = "${local.prefix}-events-deadletter"
  topic                      = google_pubsub_topic.deadletter.id
  labels                     = local.labels
  message_retention_duration = "604800s"
}

# The Pub/Sub service agent forwards dead letters: it publishes to the dead-letter topic and
# acknowledges the original on the source subscription.
resource "google_pubsub_topic_iam_member" "deadletter_publisher" {
  topic  = google_pubsub_topic.deadletter.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "deadletter_forwarder" {
  subscription = google_pubsub_subscription.stream_ingest.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
