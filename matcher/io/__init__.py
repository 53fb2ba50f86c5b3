"""Reading CSV / xlsx / TOML / DataFrames into profiles and arrays, writing outputs; located
validation errors.  May import profiles (and _errors); never scoring, solvers or below."""

from matcher.io._arrays import (
    Capacities,
    EdgeArrays,
    PairList,
    capacity_vector,
    check_scores,
    encode_edges,
    encode_matrix,
    loose_tuple_edges,
    pair_indices,
    pairs_of,
    tuple_edges,
)
from matcher.io._config import config_from_mapping, load_config
from matcher.io._current import CurrentLike, read_current
from matcher.io._edges import (
    EdgeList,
    PairRow,
    edges_from_table,
    read_capacities,
    read_edges,
    read_pairs,
)
from matcher.io._forms import describe_unknown_values, unknown_values
from matcher.io._gc import gc_paused
from matcher.io._participants import (
    CANONICAL_COLUMNS,
    ParticipantSet,
    check_program,
    dataframe_table,
    load_participants,
    load_program,
    participants_from_table,
)
from matcher.io._synthetic import synthetic_files, write_synthetic
from matcher.io._table import (
    Table,
    decode,
    json_cell,
    parse_text,
    read_table,
    read_xlsx,
    table_from_rows,
)
from matcher.io._write import (
    check_output_dir,
    csv_bytes,
    json_bytes,
    neutralise,
    sha256_file,
    write_outputs,
)
from matcher.io._xlsx import EXCEL_SUFFIXES, profile_file, xlsx_bytes

__all__ = [
    "CANONICAL_COLUMNS",
    "EXCEL_SUFFIXES",
    "Capacities",
    "CurrentLike",
    "EdgeArrays",
    "EdgeList",
    "PairList",
    "PairRow",
    "ParticipantSet",
    "Table",
    "capacity_vector",
    "check_output_dir",
    "check_program",
    "check_scores",
    "config_from_mapping",
    "csv_bytes",
    "dataframe_table",
    "decode",
    "describe_unknown_values",
    "edges_from_table",
    "encode_edges",
    "encode_matrix",
    "gc_paused",
    "json_bytes",
    "json_cell",
    "load_config",
    "load_participants",
    "load_program",
    "loose_tuple_edges",
    "neutralise",
    "pair_indices",
    "pairs_of",
    "parse_text",
    "participants_from_table",
    "profile_file",
    "read_capacities",
    "read_current",
    "read_edges",
    "read_pairs",
    "read_table",
    "read_xlsx",
    "sha256_file",
    "synthetic_files",
    "table_from_rows",
    "tuple_edges",
    "unknown_values",
    "write_outputs",
    "write_synthetic",
    "xlsx_bytes",
]
