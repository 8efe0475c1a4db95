"""The plug-in is found through its entry point and listed by ``wladna plugins``."""

from __future__ import annotations

import importlib.metadata

from wladna_core.plugins import make_plugin_manager, plugin_list

import wladna_fhir
import wladna_fhir.plugin


def test_the_entry_point_loads_the_plugin_module() -> None:
    pm = make_plugin_manager(only=["fhir"])
    assert pm.get_plugin("fhir") is wladna_fhir.plugin


def test_wladna_plugins_lists_it_with_its_distribution_and_no_hook() -> None:
    pm = make_plugin_manager(only=["wladna-fhir"])
    [info] = [info for info in plugin_list(pm) if info.name == "fhir"]
    assert info.distribution == "wladna-fhir"
    assert info.version == importlib.metadata.version("wladna-fhir")
    assert info.hooks == ()


def test_the_plugin_module_offers_the_package_api() -> None:
    assert wladna_fhir.plugin.to_bundle is wladna_fhir.to_bundle
    assert wladna_fhir.plugin.from_bundle is wladna_fhir.from_bundle
