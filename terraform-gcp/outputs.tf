locals {
  # Gold tables the report opens with, one Looker Studio data source each.
  report_tables = ["daily_sales", "product_performance", "customer_engagement", "listing_turnover", "sessions", "pageviews_by_method_5m"]

  looker_studio_query = join("&", concat(
    ["c.mode=edit", "r.reportName=${urlencode("fakelake gold (${var.project_id})")}"],
    flatten([
      for i, table in local.report_tables : [
        "ds.ds${i}.connector=bigQuery",
        "ds.ds${i}.type=TABLE",
        "ds.ds${i}.projectId=${urlencode(var.project_id)}",
        "ds.ds${i}.datasetId=${google_bigquery_dataset.pipeline["gold"].dataset_id}",
        "ds.ds${i}.tableId=${table}",
        "ds.ds${i}.datasourceName=${urlencode("gold.${table}")}",
      ]
    ]),
  ))
}

output "lake" {
  description = "The lake: each zone is a prefix of this bucket."
  value       = local.lake
}

output "lake_zones" {
  description = "The zone prefixes of the lake."
  value       = [for zone in local.zones : "${local.lake}/${zone}/"]
}

output "templates" {
  description = "Flex template spec files, by pipeline."
  value       = { for name in concat(local.batch_templates, local.stream_templates) : name => "${local.templates_prefix}/${name}.json" }
}

output "datasets" {
  description = "BigQuery datasets: the pipelines' (silver, gold, ops) and Dataform's."
  value = merge(
    { for name, dataset in google_bigquery_dataset.pipeline : name => "${var.project_id}.${dataset.dataset_id}" },
    { for name, dataset in google_bigquery_dataset.dataform : name => "${var.project_id}.${dataset.dataset_id}" },
  )
}

output "pubsub" {
  description = "The stream topic, the subscription stream-ingest reads and the dead-letter topic."
  value = {
    topic        = google_pubsub_topic.events.id
    subscription = google_pubsub_subscription.stream_ingest.id
    deadletter   = google_pubsub_topic.deadletter.id
  }
}

output "streaming_jobs" {
  description = "Console links of the running streaming jobs (empty while streaming_enabled is false)."
  value = {
    for name, job in google_dataflow_flex_template_job.stream :
    name => "https://console.cloud.google.com/dataflow/jobs/${var.region}/${job.job_id}?project=${var.project_id}"
  }
}

output "batch_jobs" {
  description = "Console list of the Dataflow jobs, where each cycle's generate, ingest and curate appear."
  value       = "https://console.cloud.google.com/dataflow/jobs?project=${var.project_id}"
}

output "workflow" {
  description = "Console page of the orchestration workflow and its executions."
  value       = "https://console.cloud.google.com/workflows/workflow/${var.region}/${google_workflows_workflow.cycle.name}/executions?project=${var.project_id}"
}

output "dataform" {
  description = "Console page of the Dataform repository and its workflow invocations."
  value       = "https://console.cloud.google.com/bigquery/dataform/locations/${var.region}/repositories/${google_dataform_repository.fakelake.name}/details/workflows?project=${var.project_id}"
}

output "source_database" {
  description = "Cloud SQL instance and the Secret Manager secret that holds its password."
  value = {
    instance        = google_sql_database_instance.source.connection_name
    private_ip      = google_sql_database_instance.source.private_ip_address
    password_secret = google_secret_manager_secret.source_db_password.id
  }
}

output "looker_studio_report" {
  description = "Opens a new Looker Studio report over the gold tables (Linking API); save it to keep it."
  value       = "https://lookerstudio.google.com/reporting/create?${local.looker_studio_query}"
}
