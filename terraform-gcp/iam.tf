# One service account per job, each with only the roles it needs: project roles are limited to
# what has no narrower scope (running Dataflow work, BigQuery jobs, writing logs); data access is
# granted on the bucket, dataset, topic, subscription or secret itself.

locals {
  service_accounts = {
    "generate"        = "Dataflow job generate: writes the landing zone and the source database."
    "ingest"          = "Dataflow job ingest: reads landing and the source database, writes bronze and ops."
    "curate"          = "Dataflow job curate: reads bronze, writes silver, gold and their BigQuery tables."
    "stream-generate" = "Dataflow job stream-generate: publishes pageviews and ratings to Pub/Sub."
    "stream-ingest"   = "Dataflow job stream-ingest: reads the Pub/Sub subscription, writes the lake and BigQuery."
    "orchestrator"    = "Cloud Workflows: launches the batch flex templates and the Dataform workflow."
    "scheduler"       = "Cloud Scheduler: starts the orchestration workflow."
    "dataform"        = "Dataform workflow invocations: reads silver, gold and ops, writes Dataform's datasets."
    "build"           = "Cloud Build: builds the flex template images and spec files."
  }

  dataflow_jobs = ["generate", "ingest", "curate", "stream-generate", "stream-ingest"]

  # The jobs that reach the source database: they get local.database_parameters and read its
  # password from Secret Manager.
  database_jobs = ["generate", "ingest"]

  dataflow_worker_roles = [
    "roles/dataflow.worker",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
  ]

  project_roles = {
    "generate"        = local.dataflow_worker_roles
    "ingest"          = concat(local.dataflow_worker_roles, ["roles/bigquery.jobUser"])
    "curate"          = concat(local.dataflow_worker_roles, ["roles/bigquery.jobUser"])
    "stream-generate" = local.dataflow_worker_roles
    "stream-ingest"   = concat(local.dataflow_worker_roles, ["roles/bigquery.jobUser"])
    "orchestrator"    = ["roles/dataflow.developer", "roles/dataform.editor", "roles/logging.logWriter"]
    "scheduler"       = ["roles/workflows.invoker"]
    "dataform"        = ["roles/bigquery.jobUser"]
    "build"           = ["roles/logging.logWriter"]
  }

  project_role_bindings = merge([
    for account, roles in local.project_roles : {
      for role in roles : "${account} ${role}" => { account = account, role = role }
    }
  ]...)

  # Which pipeline-owned datasets each account writes (dataEditor) or reads (dataViewer).
  dataset_bindings = merge(
    { "ingest ops" = { account = "ingest", dataset = "ops", role = "roles/bigquery.dataEditor" } },
    merge([
      for account in ["curate", "stream-ingest"] : {
        for dataset in keys(local.pipeline_datasets) : "${account} ${dataset}" => {
          account = account, dataset = dataset, role = "roles/bigquery.dataEditor"
        }
      }
    ]...),
    {
      for dataset in keys(local.pipeline_datasets) : "dataform ${dataset}" => {
        account = "dataform", dataset = dataset, role = "roles/bigquery.dataViewer"
      }
    },
  )
}

resource "google_service_account" "job" {
  for_each = local.service_accounts

  account_id   = "${local.prefix}-${each.key}"
  display_name = "fakelake ${each.key}"
  description  = each.value

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "job" {
  for_each = local.project_role_bindings

  project = var.project_id
  role    = each.value.role
  member  = google_service_account.job[each.value.account].member
}

resource "google_storage_bucket_iam_member" "lake" {
  for_each = toset(local.dataflow_jobs)

  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.job[each.key].member
}

# Staging and temporary files of every Dataflow job live in the Dataflow bucket.
resource "google_storage_bucket_iam_member" "dataflow_bucket" {
  for_each = toset(local.dataflow_jobs)

  bucket = google_storage_bucket.dataflow.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.job[each.key].member
}

resource "google_storage_bucket_iam_member" "build_dataflow_bucket" {
  bucket = google_storage_bucket.dataflow.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.job["build"].member
}

# Launching a flex template reads its spec file.
resource "google_storage_bucket_iam_member" "orchestrator_templates" {
  bucket = google_storage_bucket.dataflow.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.job["orchestrator"].member
}

# A template's launcher VM runs as the job's service account and pulls the launcher image.
resource "google_artifact_registry_repository_iam_member" "job_reader" {
  for_each = toset(local.dataflow_jobs)

  location   = google_artifact_registry_repository.templates.location
  repository = google_artifact_registry_repository.templates.name
  role       = "roles/artifactregistry.reader"
  member     = google_service_account.job[each.key].member
}

resource "google_artifact_registry_repository_iam_member" "build_writer" {
  location   = google_artifact_registry_repository.templates.location
  repository = google_artifact_registry_repository.templates.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.job["build"].member
}

resource "google_bigquery_dataset_iam_member" "pipeline" {
  for_each = local.dataset_bindings

  dataset_id = google_bigquery_dataset.pipeline[each.value.dataset].dataset_id
  role       = each.value.role
  member     = google_service_account.job[each.value.account].member
}

resource "google_bigquery_dataset_iam_member" "dataform_writer" {
  for_each = local.dataform_datasets

  dataset_id = google_bigquery_dataset.dataform[each.key].dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.job["dataform"].member
}

resource "google_pubsub_topic_iam_member" "stream_generate_publisher" {
  topic  = google_pubsub_topic.events.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.job["stream-generate"].member
}

resource "google_pubsub_subscription_iam_member" "stream_ingest" {
  for_each = toset(["roles/pubsub.subscriber", "roles/pubsub.viewer"])

  subscription = google_pubsub_subscription.stream_ingest.id
  role         = each.key
  member       = google_service_account.job["stream-ingest"].member
}

# A job that reaches the source database reads its password itself, on the template launcher and
# on the workers, which run as the job's account; no other account can read it.
resource "google_secret_manager_secret_iam_member" "job_db_password" {
  for_each = toset(local.database_jobs)

  secret_id = google_secret_manager_secret.source_db_password.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.job[each.key].member
}

# The workflow launches the batch jobs and the Dataform invocation as their own accounts.
resource "google_service_account_iam_member" "orchestrator_acts_as" {
  for_each = toset(["generate", "ingest", "curate", "dataform"])

  service_account_id = google_service_account.job[each.key].name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.job["orchestrator"].member
}

# Dataform runs invocations by minting tokens for its service account.
resource "google_service_account_iam_member" "dataform_agent_token_creator" {
  service_account_id = google_service_account.job["dataform"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.dataform.email}"
}
