"""Reading CSV/TOML/DataFrames into models and writing outputs; located validation errors."""

from matcher.io._config import config_from_mapping, load_config
from matcher.io._edges import (
    EdgeList,
    PairRow,
    edges_from_table,
    read_capacities,
    read_edges,
    read_pairs,
)
from matcher.io._participants import (
    CANONICAL_COLUMNS,
    ParticipantSet,
    check_program,
    load_participants,
    load_program,
    participants_from_table,
)
from matcher.io._synthetic import synthetic_files, write_synthetic
from matcher.io._table import Table, decode, parse_text, read_table, table_from_rows
from matcher.io._write import csv_bytes, json_bytes, neutralise, sha256_file, write_outputs
from matcher.io._xlsx import EXCEL_SUFFIXES, profile_file, read_xlsx, xlsx_bytes

__all__ = [
    "CANONICAL_COLUMNS",
    "EXCEL_SUFFIXES",
    "EdgeList",
    "PairRow",
    "ParticipantSet",
    "Table",
    "check_program",
    "config_from_mapping",
    "csv_bytes",
    "decode",
    "edges_from_table",
    "json_bytes",
    "load_config",
    "load_participants",
    "load_program",
    "neutralise",
    "parse_text",
    "participants_from_table",
    "profile_file",
    "read_capacities",
    "read_edges",
    "read_pairs",
    "read_table",
    "read_xlsx",
    "sha256_file",
    "synthetic_files",
    "table_from_rows",
    "write_outputs",
    "write_synthetic",
    "xlsx_bytes",
]
