variable "project_id" {
  type        = string
  description = "ID of the Google Cloud project that holds everything; billing must be enabled on it."
}

variable "region" {
  type        = string
  description = "Region of the bucket, Dataflow jobs, Cloud SQL, Workflows, Scheduler and Dataform, e.g. europe-west1."
  default     = "europe-west1"
}

variable "bigquery_location" {
  type        = string
  description = "BigQuery location of every dataset; must be the location in dataform/workflow_settings.yaml (EU)."
  default     = "EU"
}

variable "billing_account" {
  type        = string
  description = "Billing account ID (XXXXXX-XXXXXX-XXXXXX) the budget alert watches."
}

variable "budget_amount" {
  type        = number
  description = "Monthly budget in the billing account's currency; alerts go to billing admins at 50, 90 and 100 percent."
  default     = 50
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete buckets, datasets, the database and the image repository with their contents."
  default     = true
}

variable "seed" {
  type        = number
  description = "Seed of the synthetic data set: the same seed gives the same data."
  default     = 42
}

variable "scale" {
  type        = number
  description = "Volume factor of the generated data set (1 = 2,000 customers, 5,000 orders, 100,000 pageviews)."
  default     = 1

  validation {
    condition     = var.scale > 0 && var.scale <= 10000
    error_message = "scale must be above 0 and at most 10000."
  }
}

variable "locale" {
  type        = string
  description = "Datafaker locale of names, addresses and cities, e.g. cs, de-AT, en-US."
  default     = "cs"
}

variable "streaming_enabled" {
  type        = bool
  description = "Run the streaming pair (stream-generate and stream-ingest) on Dataflow; false stops and removes both jobs."
  default     = true
}

variable "stream_rate" {
  type        = number
  description = "Events per second stream-generate publishes to Pub/Sub."
  default     = 5

  validation {
    condition     = var.stream_rate > 0 && var.stream_rate <= 1000000
    error_message = "stream_rate must be above 0 and at most 1,000,000 events/s."
  }
}

variable "stream_max_workers" {
  type        = number
  description = "Maximum Dataflow workers of each streaming job."
  default     = 1

  validation {
    condition     = var.stream_max_workers >= 1
    error_message = "stream_max_workers must be at least 1."
  }
}

variable "batch_max_workers" {
  type        = number
  description = "Maximum Dataflow workers of each batch job (generate, ingest, curate)."
  default     = 2

  validation {
    condition     = var.batch_max_workers >= 1
    error_message = "batch_max_workers must be at least 1."
  }
}

variable "batch_machine_type" {
  type        = string
  description = "Machine type of the batch Dataflow workers."
  default     = "e2-standard-2"
}

variable "stream_machine_type" {
  type        = string
  description = "Machine type of the streaming Dataflow workers (Streaming Engine keeps state off the worker)."
  default     = "e2-standard-2"
}

variable "cloud_sql_tier" {
  type        = string
  description = "Cloud SQL machine tier of the source PostgreSQL; db-f1-micro is the smallest (shared core)."
  default     = "db-f1-micro"
}

variable "schedule" {
  type        = string
  description = "Cron schedule of the orchestrated cycle (generate, ingest, curate, Dataform)."
  default     = "0 */6 * * *"
}

variable "schedule_time_zone" {
  type        = string
  description = "Time zone the schedule is read in."
  default     = "Etc/UTC"
}

variable "run_first_cycle" {
  type        = bool
  description = "Start one orchestrated cycle as soon as apply has built the templates, instead of waiting for the schedule (needs gcloud)."
  default     = true
}

variable "archive_storage_class" {
  type        = string
  description = "Storage class that objects under archive/ move to."
  default     = "COLDLINE"

  validation {
    condition     = contains(["NEARLINE", "COLDLINE", "ARCHIVE"], var.archive_storage_class)
    error_message = "archive_storage_class must be NEARLINE, COLDLINE or ARCHIVE."
  }
}

variable "archive_after_days" {
  type        = number
  description = "Days after which an object under archive/ moves to the archive storage class."
  default     = 1
}

variable "dataform_git_url" {
  type        = string
  description = "HTTPS URL of a Git repository whose dataform_git_branch holds the contents of dataform/ at its root."
}

variable "dataform_git_branch" {
  type        = string
  description = "Branch of dataform_git_url that Dataform compiles, e.g. the result of git subtree split --prefix dataform."
  default     = "dataform"
}

variable "dataform_git_token" {
  type        = string
  description = "Personal access token Dataform reads dataform_git_url with (read access to contents is enough)."
  sensitive   = true
}
