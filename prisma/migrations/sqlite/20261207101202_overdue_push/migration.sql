-- CreateTable
CREATE TABLE "OverduePush" (
    "kind" TEXT NOT NULL,
    "caseId" INTEGER NOT NULL,
    "step" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("kind", "caseId", "step")
);
