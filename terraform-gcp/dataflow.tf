# The streaming pair runs continuously from its flex templates while streaming_enabled is true;
# setting it to false drains both jobs and removes them. The batch pipelines are launched by the
# orchestration workflow (orchestration.tf).

locals {
  # Settings every Dataflow job of the playground shares, as the flex template launch API and the
  # google_dataflow_flex_template_job resource name them.
  job_network = {
    subnetwork       = google_compute_subnetwork.dataflow.self_link
    ip_configuration = "WORKER_IP_PRIVATE"
    temp_location    = "gs://${google_storage_bucket.dataflow.name}/temp"
    staging_location = "gs://${google_storage_bucket.dataflow.name}/staging"
  }

  stream_jobs = {
    "stream-generate" = {
      parameters = {
        lake        = local.lake
        seed        = tostring(var.seed)
        scale       = tostring(var.scale)
        locale      = var.locale
        rate        = tostring(var.stream_rate)
        pubsubTopic = google_pubsub_topic.events.id
      }
    }
    "stream-ingest" = {
      parameters = {
        lake                    = local.lake
        seed                    = tostring(var.seed)
        scale                   = tostring(var.scale)
        locale                  = var.locale
        pubsubSubscription      = google_pubsub_subscription.stream_ingest.id
        warehouse               = "bigquery"
        bigQueryProject         = var.project_id
        bigQueryDatasetLocation = var.bigquery_location
        silverDataset           = google_bigquery_dataset.pipeline["silver"].dataset_id
        goldDataset             = google_bigquery_dataset.pipeline["gold"].dataset_id
        opsDataset              = google_bigquery_dataset.pipeline["ops"].dataset_id
      }
    }
  }
}

resource "google_dataflow_flex_template_job" "stream" {
  provider = google-beta
  for_each = var.streaming_enabled ? local.stream_jobs : {}

  name                    = "${local.prefix}-${each.key}"
  region                  = var.region
  container_spec_gcs_path = "${local.templates_prefix}/${each.key}.json"
  parameters              = each.value.parameters
  service_account_email   = google_service_account.job[each.key].email
  max_workers             = var.stream_max_workers
  num_workers             = 1
  machine_type            = var.stream_machine_type
  enable_streaming_engine = true
  subnetwork              = local.job_network.subnetwork
  ip_configuration        = local.job_network.ip_configuration
  temp_location           = local.job_network.temp_location
  staging_location        = local.job_network.staging_location
  labels                  = local.labels
  # Drain lets in-flight windows finish and their files land before the job stops.
  on_delete = "drain"

  # A new template build relaunches the job with the new images.
  lifecycle {
    replace_triggered_by = [terraform_data.flex_templates]
  }

  depends_on = [
    terraform_data.flex_templates,
    google_project_iam_member.job,
    google_storage_bucket_iam_member.lake,
    google_storage_bucket_iam_member.dataflow_bucket,
    google_artifact_registry_repository_iam_member.job_reader,
    google_bigquery_dataset_iam_member.pipeline,
    google_pubsub_topic_iam_member.stream_generate_publisher,
    google_pubsub_subscription_iam_member.stream_ingest,
    google_compute_firewall.dataflow_internal,
  ]
}
