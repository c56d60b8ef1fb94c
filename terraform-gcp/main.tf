# The fakelake playground on Google Cloud: one root module, split by concern into lake.tf,
# warehouse.tf, stream.tf, database.tf, templates.tf, dataflow.tf, orchestration.tf, dataform.tf
# and iam.tf. This file holds the shared names, the APIs and the budget.

locals {
  prefix = "fakelake"

  # The lake's zones (ARCHITECTURE.md): each is a prefix of the lake bucket.
  zones = ["landing", "bronze", "silver", "gold", "archive", "deadletter", "_truth"]

  # Datasets the pipelines write (silver, gold, ops) and those the Dataform project writes; the
  # latter are the schemas of dataform/definitions and the assertion dataset of
  # dataform/workflow_settings.yaml.
  pipeline_datasets = {
    silver = "Cleaned, deduplicated, repaired and enriched entities, written by curate and stream-ingest."
    gold   = "Aggregates and ML features, written by curate and stream-ingest."
    ops    = "Load statistics, threshold checks, alerts, dead-letter counts and quality scores."
  }
  dataform_datasets = {
    intermediate        = "Dataform views shared by the outputs."
    marts               = "Dataform output tables: sessions, cohorts, running revenue, moving averages."
    analyses            = "Dataform window-function analyses."
    ml                  = "BigQuery ML model of the order value and its evaluation history."
    dataform_assertions = "Dataform assertion results."
  }

  lake_bucket      = "${var.project_id}-${local.prefix}-lake"
  lake             = "gs://${local.lake_bucket}"
  dataflow_bucket  = "${var.project_id}-${local.prefix}-dataflow"
  templates_prefix = "gs://${local.dataflow_bucket}/templates"

  # The pipelines with a flex template, named as in templates/ (TemplateCatalog); the build in
  # templates.tf writes templates/NAME.json for each. The policy tests check these names.
  batch_templates  = ["generate", "ingest", "curate"]
  stream_templates = ["stream-generate", "stream-ingest"]

  labels = {
    app = local.prefix
  }
}

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "bigquerystorage.googleapis.com",
    "billingbudgets.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "dataflow.googleapis.com",
    "dataform.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
    "workflowexecutions.googleapis.com",
    "workflows.googleapis.com",
  ])

  project = var.project_id
  service = each.key
  # Turning APIs off on destroy would break anything else in the project that uses them.
  disable_on_destroy = false
}

# Service agents that act on fakelake's behalf: Pub/Sub moves undeliverable messages to the
# dead-letter topic, Dataform impersonates the Dataform service account and reads the Git token.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta
  project  = var.project_id
  service  = "pubsub.googleapis.com"

  depends_on = [google_project_service.apis]
}

resource "google_project_service_identity" "dataform" {
  provider = google-beta
  project  = var.project_id
  service  = "dataform.googleapis.com"

  depends_on = [google_project_service.apis]
}

resource "google_billing_budget" "playground" {
  billing_account = var.billing_account
  display_name    = "${local.prefix} playground (${var.project_id})"

  budget_filter {
    projects = ["projects/${data.google_project.this.number}"]
  }

  # Without a currency code the amount is in the billing account's own currency.
  amount {
    specified_amount {
      units = tostring(var.budget_amount)
    }
  }

  threshold_rules {
    threshold_percent = 0.5
  }
  threshold_rules {
    threshold_percent = 0.9
  }
  threshold_rules {
    threshold_percent = 1.0
  }
  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  depends_on = [google_project_service.apis]
}
