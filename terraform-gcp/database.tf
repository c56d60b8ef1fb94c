# The source database: Cloud SQL for PostgreSQL on the smallest tier, reachable only by private
# IP from the fakelake VPC, where the Dataflow workers and template launchers run.

resource "google_compute_network" "fakelake" {
  name                    = local.prefix
  auto_create_subnetworks = false

  depends_on = [google_project_service.apis]
}

resource "google_compute_subnetwork" "dataflow" {
  name                     = "${local.prefix}-dataflow"
  network                  = google_compute_network.fakelake.id
  region                   = var.region
  ip_cidr_range            = "10.20.0.0/20"
  private_ip_google_access = true
}

# Dataflow workers exchange shuffle and streaming data on these ports with each other.
resource "google_compute_firewall" "dataflow_internal" {
  name      = "${local.prefix}-dataflow-internal"
  network   = google_compute_network.fakelake.id
  direction = "INGRESS"

  allow {
    protocol = "tcp"
    ports    = ["12345-12346"]
  }

  source_tags = ["dataflow"]
  target_tags = ["dataflow"]
}

resource "google_compute_global_address" "sql_peering" {
  name          = "${local.prefix}-sql-peering"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = google_compute_network.fakelake.id
}

resource "google_service_networking_connection" "sql" {
  network                 = google_compute_network.fakelake.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.sql_peering.name]
  # Lets terraform destroy remove the peering even though Cloud SQL kept it busy until just before.
  deletion_policy = "ABANDON"
}

resource "google_sql_database_instance" "source" {
  name                = "${local.prefix}-source"
  database_version    = "POSTGRES_15"
  region              = var.region
  deletion_protection = !var.force_destroy

  settings {
    tier              = var.cloud_sql_tier
    edition           = "ENTERPRISE"
    availability_type = "ZONAL"
    disk_type         = "PD_HDD"
    disk_size         = 10
    disk_autoresize   = true
    user_labels       = local.labels

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.fakelake.id
      ssl_mode        = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
    }

    backup_configuration {
      enabled = false
    }
  }

  depends_on = [google_service_networking_connection.sql]
}

resource "google_sql_database" "shop" {
  name     = "fakelake"
  instance = google_sql_database_instance.source.name
}

resource "random_password" "source_db" {
  length  = 32
  special = false
}

resource "google_sql_user" "fakelake" {
  name     = "fakelake"
  instance = google_sql_database_instance.source.name
  password = random_password.source_db.result
}

resource "google_secret_manager_secret" "source_db_password" {
  secret_id = "${local.prefix}-source-db-password"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "source_db_password" {
  secret      = google_secret_manager_secret.source_db_password.id
  secret_data = random_password.source_db.result
}

locals {
  source_jdbc_url = "jdbc:postgresql://${google_sql_database_instance.source.private_ip_address}:5432/${google_sql_database.shop.name}"
}
