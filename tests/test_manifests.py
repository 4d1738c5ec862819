"""Every data file has a manifest, and file and manifest agree."""

from __future__ import annotations

import pytest

from russia_china.data import list_datasets, load, manifest
from russia_china.paths import data_dir

DATASETS = list_datasets()


def test_every_csv_has_a_manifest_and_every_manifest_a_csv():
    folder = data_dir()
    csvs = {p.stem for p in folder.glob("*.csv")}
    manifests = {p.stem for p in folder.glob("*.yml")}
    assert csvs == manifests, f"without manifest: {csvs - manifests}; without file: {manifests - csvs}"
    assert len(csvs) >= 12


@pytest.mark.parametrize("name", DATASETS)
def test_file_validates_against_its_manifest(name):
    frame = load(name)
    spec = manifest(name)
    assert list(frame.columns) == spec.column_names
    assert len(frame) > 0


@pytest.mark.parametrize("name", DATASETS)
def test_manifest_providers_and_nulls_are_honest(name):
    spec = manifest(name)
    known_sources = set(load("sources")["source_id"])
    assert set(spec.content["providers"]) <= known_sources, "providers must be source_ids in sources.csv"
    frame = load(name)
    for column in spec.columns:
        if not column.get("nullable", False):
            continue
        # A column declared nullable should say why in known_nulls.
        assert column["name"] in spec.content["known_nulls"], (
            f"{name}.{column['name']} may be empty but known_nulls does not explain it"
        )
    declared_not_null = [c["name"] for c in spec.columns if not c.get("nullable", False)]
    assert not frame[declared_not_null].isna().any().any()


def test_every_dataset_is_documented_in_the_data_readme():
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    undocumented = [name for name in DATASETS if f"{name}.csv" not in readme]
    assert not undocumented, f"data/README.md does not describe {undocumented}"


def test_reference_series_cite_their_original_provider():
    providers = set(load("sources").query("record_kind == 'provider'")["source_id"])
    cited = set()
    for name in DATASETS:
        cited |= set(manifest(name).content["providers"]) & providers
    assert cited == providers, f"providers no series cites: {providers - cited}"
