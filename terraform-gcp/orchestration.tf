# Orchestration without clicks: Cloud Scheduler starts the workflow in workflows/cycle.yaml, which
# runs generate, ingest and curate from their flex templates, each after the previous one
# finished, then compiles the Dataform release and invokes its workflow config.

locals {
  batch_environment = {
    serviceAccountEmail  = null
    maxWorkers           = var.batch_max_workers
    machineType          = var.batch_machine_type
    subnetwork           = local.job_network.subnetwork
    ipConfiguration      = local.job_network.ip_configuration
    tempLocation         = local.job_network.temp_location
    stagingLocation      = local.job_network.staging_location
    additionalUserLabels = local.labels
  }

  warehouse_parameters = {
    warehouse               = "bigquery"
    bigQueryProject         = var.project_id
    bigQueryDatasetLocation = var.bigquery_location
    silverDataset           = google_bigquery_dataset.pipeline["silver"].dataset_id
    goldDataset             = google_bigquery_dataset.pipeline["gold"].dataset_id
    opsDataset              = google_bigquery_dataset.pipeline["ops"].dataset_id
  }

  lake_parameters = {
    lake   = local.lake
    seed   = tostring(var.seed)
    scale  = tostring(var.scale)
    locale = var.locale
  }

  # The password is passed by the name of its secret version: the job's launcher and workers read
  # it from Secret Manager themselves (iam.tf grants them that), so it is in no job option,
  # template parameter or workflow.
  database_parameters = {
    jdbcUrl            = local.source_jdbc_url
    jdbcUser           = google_sql_user.fakelake.name
    jdbcPasswordSecret = "${google_secret_manager_secret.source_db_password.id}/versions/latest"
  }

  # The stages in the order the workflow runs them; those in local.database_jobs (iam.tf) reach
  # the source database.
  batch_jobs = {
    "generate" = {
      parameters = merge(local.lake_parameters, local.database_parameters)
    }
    "ingest" = {
      parameters = merge(local.lake_parameters, local.database_parameters, local.warehouse_parameters)
    }
    "curate" = {
      parameters = merge(local.lake_parameters, local.warehouse_parameters)
    }
  }

  workflow_stages = [
    for name in local.batch_templates : {
      name        = name
      template    = "${local.templates_prefix}/${name}.json"
      parameters  = local.batch_jobs[name].parameters
      environment = merge(local.batch_environment, { serviceAccountEmail = google_service_account.job[name].email })
    }
  ]
}

resource "google_workflows_workflow" "cycle" {
  name            = "${local.prefix}-cycle"
  region          = var.region
  description     = "One fakelake cycle: generate, ingest, curate on Dataflow, then the Dataform models."
  service_account = google_service_account.job["orchestrator"].id
  call_log_level  = "LOG_ERRORS_ONLY"
  labels          = local.labels
  source_contents = file("${path.module}/workflows/cycle.yaml")

  # Read by workflows/cycle.yaml with sys.get_env; the policy tests check that every name it reads
  # is set here.
  user_env_vars = {
    FAKELAKE_REGION              = var.region
    FAKELAKE_STAGES              = jsonencode(local.workflow_stages)
    FAKELAKE_DATAFORM_REPOSITORY = google_dataform_repository.fakelake.id
    FAKELAKE_DATAFORM_RELEASE    = google_dataform_repository_release_config.fakelake.id
    FAKELAKE_DATAFORM_WORKFLOW   = google_dataform_repository_workflow_config.fakelake.id
  }

  depends_on = [
    google_project_iam_member.job,
    google_secret_manager_secret_iam_member.job_db_password,
    google_service_account_iam_member.orchestrator_acts_as,
    google_storage_bucket_iam_member.orchestrator_templates,
  ]
}

resource "google_cloud_scheduler_job" "cycle" {
  name        = "${local.prefix}-cycle"
  region      = var.region
  description = "Starts one fakelake cycle."
  schedule    = var.schedule
  time_zone   = var.schedule_time_zone

  # A cycle takes longer than Scheduler waits for an answer, so it only starts an execution.
  attempt_deadline = "180s"

  retry_config {
    retry_count = 3
  }

  http_target {
    http_method = "POST"
    uri         = "https://workflowexecutions.googleapis.com/v1/${google_workflows_workflow.cycle.id}/executions"
    body        = base64encode(jsonencode({ argument = jsonencode({ trigger = "scheduler" }) }))
    headers = {
      "Content-Type" = "application/json"
    }

    oauth_token {
      service_account_email = google_service_account.job["scheduler"].email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_project_iam_member.job]
}

# The first cycle starts as soon as the templates exist, so results do not wait for the schedule.
resource "terraform_data" "first_cycle" {
  count = var.run_first_cycle ? 1 : 0

  triggers_replace = [google_workflows_workflow.cycle.id]

  provisioner "local-exec" {
    command = "gcloud workflows execute '${google_workflows_workflow.cycle.name}' --project='${var.project_id}' --location='${var.region}' --data='{\"trigger\":\"terraform\"}'"
  }

  depends_on = [
    terraform_data.flex_templates,
    google_bigquery_dataset_iam_member.pipeline,
    google_bigquery_dataset_iam_member.dataform_writer,
    google_storage_bucket_iam_member.lake,
    google_storage_bucket_iam_member.dataflow_bucket,
    google_artifact_registry_repository_iam_member.job_reader,
    google_sql_user.fakelake,
    google_secret_manager_secret_version.source_db_password,
    google_secret_manager_secret_iam_member.job_db_password,
  ]
}
