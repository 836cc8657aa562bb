"""What the synthetic rows are made of: procedures, skills, case mix,
techniques and names."""

from __future__ import annotations

import datetime as dt
import random

# --------------------------------------------------------------------------
# Procedures: (name, grade, approach, blood loss range in ml or None)
# --------------------------------------------------------------------------

PROCEDURES = {
    "general_surgery": [
        ("Laparoscopic cholecystectomy", 3, "laparoscopic", (10, 80)),
        ("Open appendectomy", 2, "open", (10, 60)),
        ("Laparoscopic appendectomy", 2, "laparoscopic", (5, 40)),
        ("Tension-free inguinal hernia repair (Lichtenstein)", 2, "open", (10, 50)),
        ("Laparoscopic transabdominal preperitoneal hernia repair", 3, "laparoscopic", (5, 40)),
        ("Excision of hepatic cystic echinococcosis (hydatid cyst)", 4, "open", (200, 900)),
        ("Laparoscopic radical gastrectomy", 4, "laparoscopic", (100, 400)),
        ("Radical colectomy", 4, "open", (150, 600)),
        ("Thyroid lobectomy", 3, "open", (20, 120)),
        ("Resection of benign breast tumour", 1, "open", (5, 30)),
        ("ERCP with common bile duct stone extraction", 3, "endoscopic", None),
        ("Laparoscopic common bile duct exploration", 4, "laparoscopic", (50, 250)),
    ],
    "orthopedics": [
        ("Total hip arthroplasty", 4, "open", (200, 800)),
        ("Total knee arthroplasty", 4, "open", (150, 600)),
        ("Arthroscopic meniscus repair", 3, "endoscopic", (5, 30)),
        ("Arthroscopic anterior cruciate ligament reconstruction", 3, "endoscopic", (10, 50)),
        ("Open reduction and internal fixation of femoral fracture", 3, "open", (150, 600)),
        ("Intramedullary nailing of tibial fracture", 3, "open", (100, 400)),
        ("Pelvic osteotomy for developmental dysplasia of the hip in children", 4, "open", (150, 500)),
        ("Percutaneous kyphoplasty", 3, "interventional", (5, 30)),
        ("Lumbar discectomy", 3, "open", (50, 250)),
        ("Debridement and closure of open fracture", 2, "open", (30, 200)),
    ],
    "neurosurgery": [
        ("Craniotomy for evacuation of intracerebral haematoma", 4, "open", (200, 800)),
        ("Burr-hole drainage of chronic subdural haematoma", 2, "open", (20, 100)),
        ("Endoscopic transsphenoidal resection of pituitary adenoma", 4, "endoscopic", (50, 300)),
        ("Ventriculoperitoneal shunt", 3, "open", (10, 80)),
        ("Endovascular coiling of intracranial aneurysm", 4, "interventional", None),
        ("Decompressive craniectomy", 4, "open", (300, 1000)),
    ],
    "urology": [
        ("Ureteroscopic holmium laser lithotripsy", 3, "endoscopic", (5, 30)),
        ("Flexible ureteroscopic lithotripsy", 3, "endoscopic", (5, 30)),
        ("Percutaneous nephrolithotomy", 3, "endoscopic", (50, 300)),
        ("Transurethral resection of the prostate", 3, "endoscopic", (50, 300)),
        ("Transurethral resection of bladder tumour", 3, "endoscopic", (20, 150)),
        ("Laparoscopic radical nephrectomy", 4, "laparoscopic", (100, 400)),
        ("Laparoscopic radical prostatectomy", 4, "laparoscopic", (150, 500)),
        ("Laparoscopic partial nephrectomy", 4, "laparoscopic", (100, 400)),
        ("Circumcision", 1, "open", (5, 20)),
    ],
    "cardiology": [
        ("Primary PCI with stent implantation for acute myocardial infarction", 4, "interventional", None),
        ("Coronary angiography", 3, "interventional", None),
        ("Permanent pacemaker implantation", 3, "interventional", (10, 50)),
        ("Radiofrequency catheter ablation of supraventricular tachycardia", 4, "interventional", None),
    ],
    "obstetrics_gynecology": [
        ("Caesarean section", 2, "open", (200, 600)),
        ("Laparoscopic total hysterectomy", 3, "laparoscopic", (100, 300)),
        ("Laparoscopic ovarian cystectomy", 3, "laparoscopic", (20, 100)),
        ("Laparoscopic myomectomy", 3, "laparoscopic", (100, 400)),
        ("Hysteroscopic resection of submucosal fibroid", 2, "endoscopic", (10, 80)),
        ("Radical hysterectomy with pelvic lymphadenectomy for cervical cancer", 4, "open", (300, 900)),
        ("Resection of giant ovarian tumour", 4, "open", (300, 1200)),
        ("Cervical cerclage", 2, "other", (5, 30)),
    ],
    "pediatric_surgery": [
        ("Laparoscopic pyloromyotomy", 3, "laparoscopic", (1, 10)),
        ("Laparoscopic high ligation of inguinal hernia sac", 2, "laparoscopic", (1, 10)),
        ("Laparoscopic appendectomy in children", 2, "laparoscopic", (5, 30)),
        ("Laparoscopic-assisted Soave pull-through for Hirschsprung disease", 4, "laparoscopic", (20, 120)),
        ("Thoracoscopic repair of oesophageal atresia", 4, "thoracoscopic", (5, 40)),
        ("Kasai portoenterostomy for biliary atresia", 4, "open", (30, 150)),
        ("One-stage hypospadias repair", 3, "open", (5, 40)),
        ("Laparoscopic orchidopexy", 2, "laparoscopic", (1, 10)),
        ("Resection of hepatoblastoma", 4, "open", (100, 500)),
        ("Air enema reduction of intussusception", 1, "other", None),
    ],
    "cardiothoracic_surgery": [
        ("Repair of ventricular septal defect under cardiopulmonary bypass", 4, "open", (50, 300)),
        ("Transcatheter closure of atrial septal defect", 3, "interventional", None),
        ("Thoracoscopic lobectomy", 4, "thoracoscopic", (50, 300)),
        ("Nuss procedure for pectus excavatum", 3, "thoracoscopic", (10, 60)),
        ("Closed thoracic drainage", 1, "other", (5, 30)),
    ],
    "emergency": [
        ("Open appendectomy", 2, "open", (10, 60)),
        ("Closed thoracic drainage", 1, "other", (5, 30)),
        ("Debridement and suture of complex wounds", 1, "open", (10, 80)),
        ("Resection of benign breast tumour", 1, "open", (5, 30)),
        ("Closed reduction and casting of forearm fracture", 1, "other", None),
    ],
    "ophthalmology": [
        ("Phacoemulsification with intraocular lens implantation", 3, "other", None),
        ("Pars plana vitrectomy", 4, "endoscopic", None),
        ("Trabeculectomy", 3, "open", None),
        ("Pterygium excision with conjunctival autograft", 2, "open", None),
    ],
    "respiratory": [
        ("Bronchoscopic removal of airway foreign body", 2, "endoscopic", None),
        ("Endobronchial ultrasound-guided transbronchial needle aspiration", 3, "endoscopic", None),
        ("Medical thoracoscopy with pleural biopsy", 3, "thoracoscopic", (5, 30)),
    ],
    "neurology": [
        ("Mechanical thrombectomy for acute ischaemic stroke", 4, "interventional", None),
        ("Digital subtraction cerebral angiography", 3, "interventional", None),
    ],
    "gastroenterology": [
        ("Endoscopic retrograde cholangiopancreatography", 3, "endoscopic", None),
        ("Endoscopic submucosal dissection", 4, "endoscopic", (5, 50)),
        ("Endoscopic variceal ligation", 3, "endoscopic", None),
    ],
}

SKILLS = {
    "neonatology": ["Neonatal resuscitation", "Mechanical ventilation of preterm infants",
                    "Umbilical venous catheterisation", "Neonatal transport care",
                    "Less invasive surfactant administration"],
    "pediatrics": ["Paediatric advanced life support", "Paediatric asthma management",
                   "Paediatric bedside ultrasound"],
    "critical_care": ["Continuous renal replacement therapy", "Bedside bronchoscopy",
                      "Lung-protective ventilation", "Ultrasound-guided central venous catheterisation"],
    "anesthesiology": ["Ultrasound-guided nerve block", "Difficult airway management",
                       "Paediatric anaesthesia"],
    "nursing": ["Perioperative nursing", "Neonatal intensive care nursing", "Infection control",
                "Stoma care"],
    "hematology": ["Bone marrow aspiration and biopsy", "Intrathecal chemotherapy"],
    "ultrasound": ["Prenatal anomaly ultrasound screening", "Echocardiography"],
    "radiology": ["CT angiography reporting", "MRI of the spine"],
    "pathology": ["Intraoperative frozen section", "Immunohistochemistry"],
    "hospital_management": ["Quality and patient safety management", "Grade 3A accreditation preparation"],
    "plateau_medicine": ["Management of high-altitude pulmonary oedema"],
    "nephrology": ["Haemodialysis", "Renal biopsy"],
    "gastroenterology": ["Diagnostic gastroscopy", "Colonoscopy with polypectomy"],
    "respiratory": ["Flexible bronchoscopy", "Pulmonary function testing", "Non-invasive ventilation"],
    "neurology": ["Intravenous thrombolysis for stroke", "Video EEG monitoring"],
    "cardiology": ["Coronary angiography", "Temporary pacing", "Echocardiography"],
    "emergency": ["Trauma assessment and resuscitation", "Closed thoracic drainage"],
}

# Surgical specialties and their share of a recipient's operations.
HOSPITAL_CASEMIX = {
    "LS-PEOPLES": {"general_surgery": 5, "orthopedics": 4, "neurosurgery": 2, "cardiology": 2,
                   "obstetrics_gynecology": 3, "urology": 1, "ophthalmology": 2, "respiratory": 1,
                   "neurology": 1},
    "XG-PEOPLES": {"urology": 4, "general_surgery": 4, "orthopedics": 3,
                   "obstetrics_gynecology": 3, "ophthalmology": 1},
    "NY-PEOPLES": {"general_surgery": 4, "obstetrics_gynecology": 3, "orthopedics": 2, "cardiology": 1},
    "KS-SECOND": {"obstetrics_gynecology": 6, "general_surgery": 3, "urology": 2, "pediatric_surgery": 1},
    "XJ-CHILDREN": {"pediatric_surgery": 8, "cardiothoracic_surgery": 2, "orthopedics": 1,
                    "respiratory": 1, "gastroenterology": 1, "urology": 1, "neurosurgery": 1},
    "PL-COUNTY": {"emergency": 5, "general_surgery": 3, "obstetrics_gynecology": 1},
}

# --------------------------------------------------------------------------
# Techniques: (name, specialty, first in region)
# --------------------------------------------------------------------------

TECHNIQUES = {
    # 41 new techniques, 14 of which filled a gap in Xinjiang (China Daily, 2022).
    "XJ-CHILDREN": (dt.date(2021, 1, 10), dt.date(2022, 6, 10), [
        ("Thoracoscopic repair of oesophageal atresia", "pediatric_surgery", True),
        ("Laparoscopic Kasai portoenterostomy for biliary atresia", "pediatric_surgery", True),
        ("Neonatal extracorporeal membrane oxygenation (ECMO)", "critical_care", True),
        ("Laparoscopic-assisted anorectoplasty for high anorectal malformation", "pediatric_surgery", True),
        ("Thoracoscopic resection of congenital pulmonary airway malformation", "cardiothoracic_surgery", True),
        ("Resection of hepatoblastoma after neoadjuvant chemotherapy", "pediatric_surgery", True),
        ("Haploidentical haematopoietic stem cell transplantation in children", "hematology", True),
        ("Laser photocoagulation for retinopathy of prematurity", "ophthalmology", True),
        ("Interventional flexible bronchoscopy in infants", "respiratory", True),
        ("Continuous renal replacement therapy in neonates", "nephrology", True),
        ("Transcatheter closure of patent ductus arteriosus in infants", "cardiothoracic_surgery", True),
        ("Paediatric capsule endoscopy", "gastroenterology", True),
        ("Laparoscopic pyeloplasty in infants", "urology", True),
        ("Presurgical video-EEG evaluation of childhood epilepsy", "neurology", True),
        ("Laparoscopic pyloromyotomy", "pediatric_surgery", False),
        ("Laparoscopic high ligation of inguinal hernia sac", "pediatric_surgery", False),
        ("Laparoscopic appendectomy in children", "pediatric_surgery", False),
        ("Laparoscopic-assisted Soave pull-through for Hirschsprung disease", "pediatric_surgery", False),
        ("Laparoscopic orchidopexy", "pediatric_surgery", False),
        ("Laparoscopic splenectomy in children", "pediatric_surgery", False),
        ("Nuss procedure for pectus excavatum", "cardiothoracic_surgery", False),
        ("Neonatal high-frequency oscillatory ventilation", "neonatology", False),
        ("Less invasive surfactant administration", "neonatology", False),
        ("Therapeutic hypothermia for neonatal encephalopathy", "neonatology", False),
        ("Peripherally inserted central catheters in neonates", "neonatology", False),
        ("Neonatal transport with a mobile intensive care unit", "neonatology", False),
        ("Amplitude-integrated EEG monitoring of neonates", "neonatology", False),
        ("Ultrasound-guided central venous catheterisation in children", "critical_care", False),
        ("Paediatric gastroscopy and colonoscopy under sedation", "gastroenterology", False),
        ("Endoscopic removal of oesophageal foreign bodies in children", "gastroenterology", False),
        ("Bronchoalveolar lavage in children", "respiratory", False),
        ("Paediatric polysomnography", "respiratory", False),
        ("Standardised paediatric asthma clinic", "pediatrics", False),
        ("Percutaneous renal biopsy in children", "nephrology", False),
        ("Therapeutic plasma exchange in children", "nephrology", False),
        ("Risk-stratified chemotherapy for childhood acute lymphoblastic leukaemia", "hematology", False),
        ("Rehabilitation programme for children with cerebral palsy", "rehabilitation", False),
        ("One-stage hypospadias repair", "pediatric_surgery", False),
        ("Elastic stable intramedullary nailing of paediatric fractures", "orthopedics", False),
        ("Ultrasound-guided nerve blocks in paediatric anaesthesia", "anesthesiology", False),
        ("Paediatric cardiac catheterisation", "cardiothoracic_surgery", False),
    ]),
    # More than 30 technologies first applied in Tibet (Xinhua).
    "LS-PEOPLES": (dt.date(2015, 10, 1), dt.date(2022, 7, 31), [
        ("Pelvic osteotomy for developmental dysplasia of the hip in children", "orthopedics", True),
        ("Primary PCI with stent implantation for acute myocardial infarction", "cardiology", True),
        ("Total hip arthroplasty", "orthopedics", True),
        ("Arthroscopic anterior cruciate ligament reconstruction", "orthopedics", True),
        ("Unicompartmental knee arthroplasty", "orthopedics", True),
        ("Minimally invasive transforaminal lumbar interbody fusion", "orthopedics", True),
        ("Percutaneous kyphoplasty", "orthopedics", True),
        ("Permanent pacemaker implantation", "cardiology", True),
        ("Radiofrequency catheter ablation of supraventricular tachycardia", "cardiology", True),
        ("Intravascular ultrasound-guided coronary intervention", "cardiology", True),
        ("Mechanical thrombectomy for acute ischaemic stroke", "neurology", True),
        ("Stroke centre with a thrombolysis green channel", "neurology", True),
        ("Long-term video EEG monitoring", "neurology", True),
        ("Endoscopic transsphenoidal resection of pituitary adenoma", "neurosurgery", True),
        ("Neuronavigation-guided craniotomy", "neurosurgery", True),
        ("Microvascular decompression for trigeminal neuralgia", "neurosurgery", True),
        ("Stereotactic aspiration of intracerebral haematoma", "neurosurgery", True),
        ("Endovascular coiling of intracranial aneurysm", "neurosurgery", True),
        ("Endobronchial ultrasound-guided transbronchial needle aspiration", "respiratory", True),
        ("Medical thoracoscopy with pleural biopsy", "respiratory", True),
        ("Polysomnography for sleep apnoea at high altitude", "respiratory", True),
        ("Laparoscopic radical gastrectomy", "general_surgery", True),
        ("Laparoscopic hepatectomy for hepatic echinococcosis", "general_surgery", True),
        ("Ex vivo liver resection and autotransplantation for alveolar echinococcosis", "general_surgery", True),
        ("Laparoscopic common bile duct exploration", "general_surgery", True),
        ("Laparoscopic radical colectomy", "general_surgery", True),
        ("Pars plana vitrectomy", "ophthalmology", True),
        ("Neonatal continuous positive airway pressure", "pediatrics", True),
        ("Laparoscopic radical hysterectomy", "obstetrics_gynecology", True),
        ("Prenatal diagnosis by amniocentesis", "obstetrics_gynecology", True),
        ("Painless labour with epidural analgesia", "anesthesiology", True),
        ("Phacoemulsification with intraocular lens implantation", "ophthalmology", False),
        ("Non-invasive ventilation for chronic obstructive pulmonary disease", "respiratory", False),
        ("Endoscopic retrograde cholangiopancreatography", "general_surgery", False),
    ]),
    "XG-PEOPLES": (dt.date(2015, 9, 15), dt.date(2025, 6, 30), [
        ("Flexible ureteroscopic lithotripsy", "urology", True),
        ("Laparoscopic radical nephrectomy", "urology", True),
        ("Laparoscopic radical prostatectomy", "urology", True),
        ("Laparoscopic partial nephrectomy", "urology", True),
        ("Holmium laser enucleation of the prostate", "urology", True),
        ("Laparoscopic transabdominal preperitoneal hernia repair", "general_surgery", True),
        ("Breast cancer surgery with sentinel lymph node biopsy", "general_surgery", True),
        ("Total knee arthroplasty", "orthopedics", False),
        ("Continuous renal replacement therapy", "critical_care", True),
        ("Painless labour with epidural analgesia", "anesthesiology", False),
        ("Percutaneous nephrolithotomy", "urology", False),
        ("Transurethral resection of the prostate", "urology", False),
        ("Urodynamic testing", "urology", False),
        ("Laparoscopic cholecystectomy", "general_surgery", False),
        ("Arthroscopic meniscus repair", "orthopedics", False),
        ("Laparoscopic total hysterectomy", "obstetrics_gynecology", False),
        ("Hysteroscopic resection of submucosal fibroid", "obstetrics_gynecology", False),
        ("Neonatal resuscitation team", "pediatrics", False),
        ("Bedside bronchoscopy in intensive care", "critical_care", False),
        ("Ultrasound-guided nerve blocks", "anesthesiology", True),
    ]),
    "NY-PEOPLES": (dt.date(2015, 10, 1), dt.date(2025, 3, 31), [
        ("Laparoscopic radical colectomy", "general_surgery", False),
        ("Laparoscopic cholecystectomy", "general_surgery", False),
        ("Coronary angiography", "cardiology", False),
        ("Primary PCI with stent implantation for acute myocardial infarction", "cardiology", False),
        ("Laparoscopic myomectomy", "obstetrics_gynecology", False),
        ("Total knee arthroplasty", "orthopedics", False),
        ("Thoracoscopic lobectomy", "cardiothoracic_surgery", True),
        ("Neonatal intensive care unit", "pediatrics", False),
        ("Telemedicine clinic with Guangdong Provincial People's Hospital", "hospital_management", False),
        ("Management of high-altitude pulmonary oedema protocol", "plateau_medicine", False),
    ]),
    "KS-SECOND": (dt.date(2016, 10, 1), dt.date(2025, 9, 30), [
        ("Laparoscopic radical hysterectomy for cervical cancer", "obstetrics_gynecology", True),
        ("Sentinel lymph node mapping in endometrial cancer", "obstetrics_gynecology", True),
        ("Resection of giant ovarian tumour", "obstetrics_gynecology", False),
        ("Prenatal ultrasound screening for fetal anomalies", "ultrasound", False),
        ("Hysteroscopic septum resection", "obstetrics_gynecology", False),
        ("Intrauterine balloon tamponade for postpartum haemorrhage", "obstetrics_gynecology", False),
        ("Cervical cancer screening with HPV testing and colposcopy", "obstetrics_gynecology", False),
        ("Painless labour with epidural analgesia", "anesthesiology", False),
        ("Central fetal heart rate monitoring", "obstetrics_gynecology", False),
        ("Neonatal high-frequency oscillatory ventilation", "neonatology", True),
        ("Screening for retinopathy of prematurity", "neonatology", False),
        ("Peripherally inserted central catheters in neonates", "neonatology", False),
        ("Intrauterine insemination", "obstetrics_gynecology", True),
        ("Laparoscopic myomectomy", "obstetrics_gynecology", False),
        ("Prenatal diagnosis by amniocentesis", "obstetrics_gynecology", True),
        ("Flexible ureteroscopic lithotripsy", "urology", False),
    ]),
    # Learning from Shaanxi doctors (Xinhua): routine surgery in the county.
    "PL-COUNTY": (dt.date(2016, 6, 1), dt.date(2024, 9, 30), [
        ("Open appendectomy", "emergency", False),
        ("Resection of benign breast tumour", "general_surgery", False),
        ("Closed thoracic drainage", "emergency", False),
        ("Debridement and suture of complex wounds", "emergency", False),
        ("Caesarean section", "obstetrics_gynecology", False),
        ("Remote consultation with Shaanxi Provincial People's Hospital", "hospital_management", False),
    ]),
}

# --------------------------------------------------------------------------
# Names (invented; romanised as in English-language news)
# --------------------------------------------------------------------------

HAN_SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo "
    "Liang Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng Fu Shen Zeng Peng "
    "Lu Su Jiang Cai Jia Ding Wei Xue Ye Yan Pan Du Dai Xia Zhong Tian Ren Fan Fang Shi Yao "
    "Tan Liao Zou Xiong Jin Hao Kong Bai Cui Kang Mao Qiu Qin Gu Hou Shao Meng Long Duan Lei "
    "Qian Yin Yi Chang Qiao Lai Gong Wen Niu Xuan"
).split()
HAN_SYLLABLES = (
    "wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xiu xia ping "
    "gang hua hui hong lin bo bin yu hao kai peng rui wen xin yi ying yun zhen zhi qing shu "
    "dan ning xue han qian feng long cheng jian dong guang zhong sheng hai bing chen lu xiao "
    "yue meng jia tian shan ran an le"
).split()
TIBETAN_NAMES = (
    "Tashi Nima Dawa Pasang Pema Tenzin Lhakpa Phurbu Penpa Migmar Dorje Sonam Tsering Norbu "
    "Kelsang Lobsang Dechen Yangchen Drolma Lhamo Yeshe Gyaltsen Chodron Kunga Namgyal Wangmo "
    "Dolkar Rinchen Jampa Tsewang Chime Dekyi Sangye Tsomo Wangdu Dhondup Palden Zangmo"
).split()
UYGHUR_GIVEN = (
    "Aygul Gulnar Mehray Dilnur Patigul Zulpiye Rena Nurbiye Ayshem Mihray Gulzire Buhajer "
    "Abdulla Ahmatjan Mirzat Erkin Dilshat Yalqun Ilham Adil Kurban Memet Alim Rustam Parhat "
    "Ekber Nurmemet Abliz Kerim Ablimit Hasan Nurlan Perhat Shohret"
).split()
UYGHUR_FAMILY = (
    "Tursun Abdukerim Memet Hoshur Yasin Rozi Niyaz Qadir Ismail Abla Tohti Osman Sidiq "
    "Ghopur Ablet Ehmet Kasim Mamut Emet Sawut"
).split()


def han_name(rng: random.Random) -> str:
    given = rng.choice(HAN_SYLLABLES)
    if rng.random() < 0.75:
        given += rng.choice(HAN_SYLLABLES)
    return f"{rng.choice(HAN_SURNAMES)} {given.capitalize()}"


def local_name(rng: random.Random, province: str) -> str:
    if province == "540000":
        if rng.random() < 0.85:
            first, second = rng.sample(TIBETAN_NAMES, 2)
            return f"{first} {second}"
        return han_name(rng)
    if rng.random() < 0.7:
        return f"{rng.choice(UYGHUR_GIVEN)} {rng.choice(UYGHUR_FAMILY)}"
    return han_name(rng)


