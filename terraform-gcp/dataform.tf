# Dataform: a repository that pulls the contents of dataform/ from Git, a release config that
# compiles it for BigQuery in this project, and a workflow config the orchestration workflow
# invokes after curate. Dataform expects workflow_settings.yaml at the root of the branch it
# reads, so dataform_git_branch holds dataform/ split out of this repository (README, GCP section).

resource "google_secret_manager_secret" "dataform_git_token" {
  secret_id = "${local.prefix}-dataform-git-token"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "dataform_git_token" {
  secret      = google_secret_manager_secret.dataform_git_token.id
  secret_data = var.dataform_git_token
}

resource "google_secret_manager_secret_iam_member" "dataform_agent_git_token" {
  secret_id = google_secret_manager_secret.dataform_git_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_project_service_identity.dataform.email}"
}

resource "google_dataform_repository" "fakelake" {
  provider        = google-beta
  name            = local.prefix
  region          = var.region
  display_name    = "fakelake"
  service_account = google_service_account.job["dataform"].email

  git_remote_settings {
    url                                 = var.dataform_git_url
    default_branch                      = var.dataform_git_branch
    authentication_token_secret_version = google_secret_manager_secret_version.dataform_git_token.id
  }

  depends_on = [
    google_secret_manager_secret_iam_member.dataform_agent_git_token,
    google_service_account_iam_member.dataform_agent_token_creator,
  ]
}

resource "google_dataform_repository_release_config" "fakelake" {
  provider   = google-beta
  project    = var.project_id
  region     = var.region
  repository = google_dataform_repository.fakelake.name

  name          = "production"
  git_commitish = var.dataform_git_branch
  time_zone     = var.schedule_time_zone

  # Overrides workflow_settings.yaml's placeholder project with this one; the dataset names and the
  # engine stay as the project declares them.
  code_compilation_config {
    default_database = var.project_id
    default_location = var.bigquery_location
    default_schema   = google_bigquery_dataset.dataform["marts"].dataset_id
    assertion_schema = google_bigquery_dataset.dataform["dataform_assertions"].dataset_id
    vars = {
      engine = "bigquery"
    }
  }
}

# No schedule of its own: the orchestration workflow invokes it once curate has finished, so the
# models never read half-written tables.
resource "google_dataform_repository_workflow_config" "fakelake" {
  provider   = google-beta
  project    = var.project_id
  region     = var.region
  repository = google_dataform_repository.fakelake.name

  name           = "after-curate"
  release_config = google_dataform_repository_release_config.fakelake.id

  invocation_config {
    service_account                          = google_service_account.job["dataform"].email
    transitive_dependencies_included         = true
    transitive_dependents_included           = false
    fully_refresh_incremental_tables_enabled = false
  }

  depends_on = [
    google_bigquery_dataset_iam_member.pipeline,
    google_bigquery_dataset_iam_member.dataform_writer,
  ]
}
