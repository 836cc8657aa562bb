"""Fill the spec's fixed specialty code list (interchange v1, section 3)."""

from django.db import migrations

SPECIALTIES = [
    ("general_surgery", "General surgery", "普通外科"),
    ("orthopedics", "Orthopaedics", "骨科"),
    ("neurosurgery", "Neurosurgery", "神经外科"),
    ("urology", "Urology", "泌尿外科"),
    ("cardiothoracic_surgery", "Cardiothoracic surgery", "心胸外科"),
    ("pediatric_surgery", "Paediatric surgery", "小儿外科"),
    ("obstetrics_gynecology", "Obstetrics and gynaecology", "妇产科"),
    ("neonatology", "Neonatology", "新生儿科"),
    ("pediatrics", "Paediatrics", "儿科"),
    ("cardiology", "Cardiology", "心血管内科"),
    ("respiratory", "Respiratory medicine", "呼吸与危重症医学科"),
    ("gastroenterology", "Gastroenterology", "消化内科"),
    ("neurology", "Neurology", "神经内科"),
    ("nephrology", "Nephrology", "肾内科"),
    ("endocrinology", "Endocrinology", "内分泌科"),
    ("hematology", "Haematology", "血液科"),
    ("oncology", "Oncology", "肿瘤科"),
    ("infectious_disease", "Infectious diseases", "感染性疾病科"),
    ("emergency", "Emergency medicine", "急诊医学科"),
    ("critical_care", "Critical care", "重症医学科"),
    ("anesthesiology", "Anaesthesiology", "麻醉科"),
    ("ophthalmology", "Ophthalmology", "眼科"),
    ("ent", "Otorhinolaryngology (ENT)", "耳鼻咽喉科"),
    ("stomatology", "Stomatology", "口腔科"),
    ("dermatology", "Dermatology", "皮肤科"),
    ("radiology", "Radiology", "放射科"),
    ("ultrasound", "Ultrasound", "超声医学科"),
    ("pathology", "Pathology", "病理科"),
    ("laboratory", "Laboratory medicine", "检验科"),
    ("nursing", "Nursing", "护理"),
    ("rehabilitation", "Rehabilitation medicine", "康复医学科"),
    ("psychiatry", "Psychiatry", "精神科"),
    ("tcm", "Traditional Chinese medicine", "中医科"),
    ("plateau_medicine", "Plateau (high-altitude) medicine", "高原医学科"),
    ("hospital_management", "Hospital management", "医院管理"),
]


def add_specialties(apps, schema_editor):
    Specialty = apps.get_model("hospitals", "Specialty")
    for code, name, name_zh in SPECIALTIES:
        Specialty.objects.update_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


class Migration(migrations.Migration):
    dependencies = [("hospitals", "0001_initial")]

    operations = [migrations.RunPython(add_specialties, migrations.RunPython.noop)]
